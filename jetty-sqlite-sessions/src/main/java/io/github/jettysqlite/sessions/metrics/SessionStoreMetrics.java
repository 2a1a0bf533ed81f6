package io.github.jettysqlite.sessions.metrics;

import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SessionStoreStatistics;
import io.github.jettysqlite.sessions.SessionTableDataStore;
import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.ToDoubleFunction;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer meters for session stores: each context's store, tagged with {@code context} (Jetty's canonical path),
 * {@code virtual.host} and {@code store} ({@code sqlite} or {@code postgresql}), while it runs; the table's own
 * figures once per table, tagged {@code table} and {@code store}.
 *
 * <ul>
 *   <li>{@code jetty.sessions.store.calls} (timer, tag {@code operation}: load, store, delete) and {@code
 *       jetty.sessions.store.failures} (counter, same tag); the timer records each call, so it publishes percentiles,
 *       a histogram and its maximum whenever the registry is configured to (a {@code MeterFilter}, or Spring Boot's
 *       {@code management.metrics.distribution.*} properties)
 *   <li>{@code jetty.sessions.store.merged.writes} (counter): writes merged into a concurrent change; {@code
 *       jetty.sessions.store.deleted.elsewhere} (counter): stores of sessions another request or node had ended
 *   <li>{@code jetty.sessions.stored} (gauge): the context's sessions; {@code jetty.sessions.expired.waiting}
 *       (gauge, once per table): those of every context expired but not yet deleted; both run a query, so their
 *       values are kept for {@value #COUNT_MAX_AGE_SECONDS} seconds, whatever the scrape interval
 *   <li>{@code jetty.sessions.cache.checks}, {@code .reloads}, {@code .drops}, {@code .metadata.taken}, {@code
 *       .check.failures} (counters): what the coherent cache's checks of cached sessions found; {@code
 *       jetty.sessions.cache.check.time} (timer): what a check costs
 *   <li>{@code jetty.sessions.database.retries}, {@code .gave.up} and {@code .outages} (counters), {@code
 *       jetty.sessions.database.wait} (counter, milliseconds waited for the database to come back), {@code
 *       jetty.sessions.database.unreachable} (gauge, 1 while down): how the store rode out database outages
 *   <li>{@code jetty.sessions.sqlite.wal.size} (gauge, bytes): the SQLite write-ahead log; {@code
 *       jetty.sessions.sqlite.checkpoints.forced} (counter): checkpoints that had to wait out readers; {@code
 *       jetty.sessions.sqlite.file.lost} (gauge, 1 once the file was deleted or replaced under the store)
 * </ul>
 *
 * <p>PostgreSQL's connection pool has meters of its own: HikariCP's, which the store's settings enable with {@code
 * PostgreSQLSessionSettings.setMetricRegistry}.
 *
 * <p>Micrometer is an optional dependency of this library: only an application that has it uses this class. Bind it
 * to a factory before the server starts ({@code new SessionStoreMetrics(factory).bindTo(registry)}), and the store
 * of every context the factory serves appears when the context starts and goes when it stops.
 */
// Micrometer's types, from a module this one requires only statically: a caller holding a MeterRegistry has it.
@SuppressWarnings("exports")
public final class SessionStoreMetrics implements MeterBinder {
    private static final Logger LOG = LoggerFactory.getLogger(SessionStoreMetrics.class);

    static final long COUNT_MAX_AGE_SECONDS = 30;

    /** The calls timed one by one; see {@link SessionStoreStatistics#recordDurationsTo}. */
    private static final List<String> TIMED = List.of("load", "store", "delete", "cache.check");

    private final SessionTableDataStoreFactory<?> factory;
    /** Meters of the whole table, which every context's store shares: registered by the first, removed by the last. */
    private final Map<Meter.Id, Integer> tableMeterUsers = new HashMap<>();

    public SessionStoreMetrics(SessionTableDataStoreFactory<?> factory) {
        this.factory = factory;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        factory.addStoreListener(store -> follow(store, registry));
    }

    /** Registers a store's meters while it runs: from its start (when its context is known) until it stops. */
    private void follow(SessionTableDataStore store, MeterRegistry registry) {
        List<Meter> meters = new ArrayList<>();
        List<Meter> tableMeters = new ArrayList<>();
        Map<String, LongConsumer> sinks = new HashMap<>();
        LifeCycle.Listener listener = new LifeCycle.Listener() {
            @Override
            public void lifeCycleStarted(LifeCycle event) {
                synchronized (meters) {
                    meters.addAll(register(store, registry, sinks));
                    if (!meters.isEmpty()) {
                        tableMeters.add(useTableMeter(registerExpiredWaiting(store, registry)));
                    }
                }
            }

            @Override
            public void lifeCycleStopped(LifeCycle event) {
                removeMeters();
            }

            /** A stop that threw ends here instead: the meters go all the same, or they would hold the store. */
            @Override
            public void lifeCycleFailure(LifeCycle event, Throwable cause) {
                removeMeters();
            }

            private void removeMeters() {
                synchronized (meters) {
                    sinks.forEach((operation, sink) -> store.getStatistics().stopRecordingDurationsTo(operation, sink));
                    sinks.clear();
                    meters.forEach(registry::remove);
                    meters.clear();
                    tableMeters.forEach(meter -> releaseTableMeter(meter, registry));
                    tableMeters.clear();
                }
            }
        };
        store.addEventListener(listener);
        if (store.isStarted()) {
            listener.lifeCycleStarted(store);
        }
    }

    /** @param sinks filled with the duration sinks fed to the store's statistics, by operation, to remove them later */
    private static List<Meter> register(
            SessionTableDataStore store, MeterRegistry registry, Map<String, LongConsumer> sinks) {
        Tags tags = Tags.of(
                "context",
                String.valueOf(store.getContextPath()),
                "virtual.host",
                String.valueOf(store.getVirtualHost()),
                "store",
                engine(store));
        if (registry.find("jetty.sessions.store.calls").tags(tags).meter() != null) {
            // The same context still runs with another store (a redeploy that starts the new one before stopping the
            // old): its meters stay its own, and this store goes unmetered rather than taking them over.
            LOG.debug("Meters for context {} already registered; not registering another store's", tags);
            return List.of();
        }
        SessionStoreStatistics statistics = store.getStatistics();
        List<Meter> meters = new ArrayList<>();
        for (String operation : TIMED) {
            Timer timer = operation.equals("cache.check")
                    ? Timer.builder("jetty.sessions.cache.check.time")
                            .description("what the coherent cache's check of a cached session against its row costs")
                            .tags(tags)
                            .register(registry)
                    : Timer.builder("jetty.sessions.store.calls")
                            .description("calls Jetty made to the session store, and the time they took")
                            .tags(tags)
                            .tag("operation", operation)
                            .register(registry);
            LongConsumer sink = nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
            statistics.recordDurationsTo(operation, sink);
            sinks.put(operation, sink);
            meters.add(timer);
        }
        meters.add(failures(registry, tags, "load", statistics, SessionStoreStatistics::getLoadFailures));
        meters.add(failures(registry, tags, "store", statistics, SessionStoreStatistics::getStoreFailures));
        meters.add(failures(registry, tags, "delete", statistics, SessionStoreStatistics::getDeleteFailures));
        meters.add(FunctionCounter.builder(
                        "jetty.sessions.store.merged.writes", statistics, SessionStoreStatistics::getMergedWrites)
                .description("attribute writes merged into a change another request made meanwhile")
                .tags(tags)
                .register(registry));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.store.deleted.elsewhere",
                "stores of sessions another request or node had ended meanwhile (nothing written)",
                statistics,
                SessionStoreStatistics::getStoresOfDeletedSessions));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.cache.metadata.taken",
                "cached sessions that took in metadata another node wrote (access, timeout)",
                statistics,
                SessionStoreStatistics::getCacheMetadataTaken));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.cache.check.failures",
                "checks of cached sessions the database failed",
                statistics,
                SessionStoreStatistics::getCacheCheckFailures));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.database.outages",
                "times the database stopped answering",
                statistics,
                SessionStoreStatistics::getDatabaseOutages));
        meters.add(FunctionCounter.builder(
                        "jetty.sessions.database.wait", statistics, SessionStoreStatistics::getDatabaseWaitMs)
                .description("time work waited for the database to come back")
                .baseUnit("milliseconds")
                .tags(tags)
                .register(registry));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.cache.checks",
                "cached sessions compared with their row before a request (coherent cache)",
                statistics,
                SessionStoreStatistics::getCacheChecks));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.cache.checks.signalled",
                "cached sessions used without reading their row: the change signals said none changed",
                statistics,
                SessionStoreStatistics::getCacheChecksSignalled));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.cache.reloads",
                "cached sessions loaded again because another node changed their attributes",
                statistics,
                SessionStoreStatistics::getCacheReloads));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.cache.drops",
                "cached sessions dropped because another node ended them",
                statistics,
                SessionStoreStatistics::getCacheDrops));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.database.retries",
                "work run again on a fresh connection after the database lost one",
                statistics,
                SessionStoreStatistics::getDatabaseRetries));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.database.gave.up",
                "work that failed because the database stayed away past the connection timeout",
                statistics,
                SessionStoreStatistics::getDatabaseGaveUp));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.saves.refused",
                "requests answered 503 because the database refused their session changes",
                statistics,
                SessionStoreStatistics::getSavesRefused));
        meters.add(
                Gauge.builder("jetty.sessions.database.unreachable", statistics, s -> s.isDatabaseUnreachable() ? 1 : 0)
                        .description("1 while the database is not answering")
                        .tags(tags)
                        .register(registry));
        CachedCount stored = new CachedCount(store::countSessionsInContext);
        meters.add(Gauge.builder("jetty.sessions.stored", stored, CachedCount::value)
                .description("sessions of this context in the table (refreshed at most every 30 s)")
                .tags(tags)
                .strongReference(true)
                .register(registry));
        if (store instanceof SQLiteSessionDataStore sqlite) {
            meters.add(Gauge.builder("jetty.sessions.sqlite.wal.size", sqlite, SQLiteSessionDataStore::getWalSizeBytes)
                    .description("size of the SQLite write-ahead log")
                    .baseUnit("bytes")
                    .tags(tags)
                    .register(registry));
            meters.add(FunctionCounter.builder(
                            "jetty.sessions.sqlite.checkpoints.forced",
                            sqlite,
                            SQLiteSessionDataStore::getForcedCheckpoints)
                    .description("WAL checkpoints that had to wait out readers to restart the log")
                    .tags(tags)
                    .register(registry));
            meters.add(Gauge.builder(
                            "jetty.sessions.sqlite.file.lost", sqlite, s -> s.getDatabaseFileLost() == null ? 0 : 1)
                    .description("1 once the database file was deleted or replaced under the store (writes refused)")
                    .tags(tags)
                    .register(registry));
        }
        return meters;
    }

    private static Meter failures(
            MeterRegistry registry,
            Tags tags,
            String operation,
            SessionStoreStatistics statistics,
            ToDoubleFunction<SessionStoreStatistics> failures) {
        return FunctionCounter.builder("jetty.sessions.store.failures", statistics, failures)
                .description("session store calls that failed (database error, unreadable or unwritable session)")
                .tags(tags)
                .tag("operation", operation)
                .register(registry);
    }

    /**
     * {@code jetty.sessions.expired.waiting} counts the sessions of every context of the table, so it is the table's,
     * not a context's: tagged with the table and the engine, registered once however many contexts share the table
     * (summing it over contexts would multiply it).
     */
    private static Meter registerExpiredWaiting(SessionTableDataStore store, MeterRegistry registry) {
        CachedCount expired = new CachedCount(store::countExpiredSessions);
        return Gauge.builder("jetty.sessions.expired.waiting", expired, CachedCount::value)
                .description("sessions of every context expired and not yet deleted (refreshed at most every 30 s)")
                .tags("table", store.getTableName(), "store", engine(store))
                .strongReference(true)
                .register(registry);
    }

    private Meter useTableMeter(Meter meter) {
        synchronized (tableMeterUsers) {
            tableMeterUsers.merge(meter.getId(), 1, Integer::sum);
        }
        return meter;
    }

    private void releaseTableMeter(Meter meter, MeterRegistry registry) {
        synchronized (tableMeterUsers) {
            Integer left = tableMeterUsers.merge(meter.getId(), -1, Integer::sum);
            if (left != null && left <= 0) {
                tableMeterUsers.remove(meter.getId());
                registry.remove(meter);
            }
        }
    }

    private static String engine(SessionTableDataStore store) {
        return store instanceof SQLiteSessionDataStore ? "sqlite" : "postgresql";
    }

    private static Meter counter(
            MeterRegistry registry,
            Tags tags,
            String name,
            String description,
            SessionStoreStatistics statistics,
            ToDoubleFunction<SessionStoreStatistics> count) {
        return FunctionCounter.builder(name, statistics, count)
                .description(description)
                .tags(tags)
                .register(registry);
    }

    /** A count that costs a query, taken at most every {@value #COUNT_MAX_AGE_SECONDS} s; NaN when it failed. */
    private static final class CachedCount {
        /** The query behind the count. */
        @FunctionalInterface
        interface Query {
            long run() throws Exception;
        }

        private final Query query;
        private double value = Double.NaN;
        private long takenNanos;
        private boolean taken;

        CachedCount(Query query) {
            this.query = query;
        }

        synchronized double value() {
            long now = System.nanoTime();
            if (!taken || now - takenNanos > TimeUnit.SECONDS.toNanos(COUNT_MAX_AGE_SECONDS)) {
                taken = true;
                takenNanos = now;
                try {
                    value = query.run();
                } catch (Exception e) {
                    LOG.debug("Cannot count sessions for a gauge", e);
                    value = Double.NaN;
                }
            }
            return value;
        }
    }
}
