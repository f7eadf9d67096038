package dev.apicache.demo;

class DemoApiJavalinTest extends DemoApiContract {
  @Override
  DemoApi.Framework framework() {
    return DemoApi.Framework.JAVALIN;
  }
}
