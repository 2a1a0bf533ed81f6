package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SessionTableDataStore;
import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The stores a factory built that run now: one per started context of Boot's Jetty server (a Boot application has
 * one). Stores of contexts that are gone are not kept.
 */
final class RunningStores {
    private final Set<SessionTableDataStore> stores = Collections.newSetFromMap(new WeakHashMap<>());

    RunningStores(SessionTableDataStoreFactory<?> factory) {
        factory.addStoreListener(this::add);
    }

    private synchronized void add(SessionTableDataStore store) {
        stores.add(store);
    }

    synchronized List<SessionTableDataStore> list() {
        List<SessionTableDataStore> running = new ArrayList<>();
        for (SessionTableDataStore store : stores) {
            if (store.isRunning()) {
                running.add(store);
            }
        }
        return running;
    }
}
