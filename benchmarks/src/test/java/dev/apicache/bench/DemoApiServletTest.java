package dev.apicache.bench;

class DemoApiServletTest extends DemoApiContract {
  @Override
  DemoApi.Framework framework() {
    return DemoApi.Framework.SERVLET;
  }
}
