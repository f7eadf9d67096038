package dev.apicache.demo;

class DemoApiServletTest extends DemoApiContract {
  @Override
  DemoApi.Framework framework() {
    return DemoApi.Framework.SERVLET;
  }
}
