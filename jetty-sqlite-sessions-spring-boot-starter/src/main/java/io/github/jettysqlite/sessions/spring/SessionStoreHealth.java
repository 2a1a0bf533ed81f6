package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.SessionTableDataStore;
import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The health of a factory's stores, one per running context, in terms of neither Boot's health API (which moved
 * between Boot 3.5 and 4.0): {@link Boot3SessionStoreHealthIndicator} and {@link Boot4SessionStoreHealthIndicator}
 * hand it on. A store is down when its database is unreachable, when its SQLite file was deleted or replaced under
 * it (writes are refused until a restart), or when its table's schema cannot be read; the schema's version is read
 * on every check, which makes it the probe of the database. The number of sessions is left to the {@code
 * jetty.sessions.stored} gauge, which caches that query.
 */
final class SessionStoreHealth {
    static final String UP = "UP";
    static final String DOWN = "DOWN";
    static final String UNKNOWN = "UNKNOWN";

    private final RunningStores stores;

    /** What a check found: Boot's status code, and the details of every store keyed by its context. */
    record Report(String status, Map<String, Object> details) {}

    SessionStoreHealth(SessionTableDataStoreFactory<?> factory) {
        stores = new RunningStores(factory);
    }

    /**
     * Checks every running store: down if any is, unknown while none runs. Each store's details are keyed by its
     * context in Jetty's canonical form, as the meters' {@code context} tag.
     */
    Report check() {
        List<SessionTableDataStore> running = stores.list();
        if (running.isEmpty()) {
            return new Report(UNKNOWN, Map.of("stores", "none running"));
        }
        Map<String, Object> details = new LinkedHashMap<>();
        String status = UP;
        for (SessionTableDataStore store : running) {
            Map<String, Object> storeDetails = check(store);
            if (DOWN.equals(storeDetails.get("status"))) {
                status = DOWN;
            }
            details.put(store.getContextPath(), storeDetails);
        }
        return new Report(status, details);
    }

    /** One store's status and details: where its table is, and its schema version or what is wrong. */
    private static Map<String, Object> check(SessionTableDataStore store) {
        Map<String, Object> details = new LinkedHashMap<>();
        try {
            SessionDatabaseAdmin admin = store.admin();
            details.put("database", admin.location());
            details.put("table", admin.table());
            String problem = problem(store, admin.file());
            if (problem == null) {
                int version = admin.schemaVersion();
                details.put("schemaVersion", version);
                if (version == 0) {
                    problem = "the database records no session table (schema version 0)";
                }
            }
            if (problem != null) {
                details.put("error", problem);
            }
        } catch (SessionDatabaseException | RuntimeException e) {
            details.put("error", "the session table's schema cannot be read: " + e.getMessage());
        }
        details.put("status", details.containsKey("error") ? DOWN : UP);
        return details;
    }

    /**
     * What stops the store from keeping sessions, found without a query, or null: an unreachable database (no query
     * should wait for it), or an SQLite file no longer at its path (a query would still read the old one).
     */
    private static String problem(SessionTableDataStore store, Path file) {
        if (store.getStatistics().isDatabaseUnreachable()) {
            return "the database is unreachable";
        }
        if (store instanceof SQLiteSessionDataStore sqlite) {
            String lost = sqlite.getDatabaseFileLost();
            if (lost == null && file != null && !Files.exists(file)) {
                // The store notices at its next write; the health check should not wait for one.
                lost = "was deleted";
            }
            if (lost != null) {
                return "the database file " + lost + " while in use; writes are refused until the application"
                        + " restarts";
            }
        }
        return null;
    }
}
