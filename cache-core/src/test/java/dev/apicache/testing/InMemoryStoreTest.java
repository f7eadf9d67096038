package dev.apicache.testing;

import dev.apicache.spi.Store;

class InMemoryStoreTest extends StoreContract {
  @Override
  protected Store createStore(ManualClock clock) {
    return new InMemoryStore(clock);
  }
}
