package dev.apicache.bench;

class DemoApiHelidonTest extends DemoApiContract {
  @Override
  DemoApi.Framework framework() {
    return DemoApi.Framework.HELIDON;
  }
}
