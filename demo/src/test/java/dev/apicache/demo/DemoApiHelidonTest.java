package dev.apicache.demo;

class DemoApiHelidonTest extends DemoApiContract {
  @Override
  DemoApi.Framework framework() {
    return DemoApi.Framework.HELIDON;
  }
}
