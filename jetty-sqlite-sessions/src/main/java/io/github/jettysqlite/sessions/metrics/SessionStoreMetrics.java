package io.github.jettysqlite.sessions.metrics;

import io.github.jettysqlite.sessions.SessionTableDataStore;
import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.eclipse.jetty.util.component.LifeCycle;

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
 *   <li>{@code jetty.sessions.changes.not.announced} (counter): saved changes other nodes' coherent caches were not told
 *       of (on PostgreSQL, a notification that failed twice), which they saw only within a second
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
    static final long COUNT_MAX_AGE_SECONDS = 30;

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
                    meters.addAll(ContextMeters.register(store, registry, sinks));
                    if (!meters.isEmpty()) {
                        tableMeters.add(useTableMeter(ContextMeters.expiredWaiting(store, registry)));
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
}
