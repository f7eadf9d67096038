package dev.apicache.bench;

class DemoApiJavalinTest extends DemoApiContract {
  @Override
  DemoApi.Framework framework() {
    return DemoApi.Framework.JAVALIN;
  }
}
