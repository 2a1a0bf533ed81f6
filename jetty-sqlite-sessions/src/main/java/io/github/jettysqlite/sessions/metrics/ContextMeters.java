package io.github.jettysqlite.sessions.metrics;

import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SessionStoreStatistics;
import io.github.jettysqlite.sessions.SessionTableDataStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meters of one context's store, and the table's count of expired sessions: names, tags, descriptions, and the
 * store's statistics each reads. {@link SessionStoreMetrics} decides when they are registered and removed.
 */
final class ContextMeters {
    private static final Logger LOG = LoggerFactory.getLogger(SessionStoreMetrics.class);
    /** The calls timed one by one; see {@link SessionStoreStatistics#recordDurationsTo}. */
    private static final List<String> TIMED = List.of("load", "store", "delete", "cache.check");

    private ContextMeters() {}

    /** @param sinks filled with the duration sinks fed to the store's statistics, by operation, to remove them later */
    static List<Meter> register(SessionTableDataStore store, MeterRegistry registry, Map<String, LongConsumer> sinks) {
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
                "work that failed because the database stayed away past the connection timeout, or whose statement the"
                        + " server cancelled for running too long",
                statistics,
                SessionStoreStatistics::getDatabaseGaveUp));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.changes.not.announced",
                "saved changes other nodes could not be told of (their coherent caches saw them within a second)",
                statistics,
                SessionStoreStatistics::getChangesNotAnnounced));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.saves.refused",
                "requests answered 503 because the database refused their session changes",
                statistics,
                SessionStoreStatistics::getSavesRefused));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.ended.changes.refused",
                "requests answered 503 because their session was ended elsewhere while they changed it",
                statistics,
                SessionStoreStatistics::getEndedSessionChangesRefused));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.attributes.not.loaded",
                "attributes left out of loaded sessions because this node cannot load their class; the rows keep them",
                statistics,
                SessionStoreStatistics::getAttributesNotLoaded));
        meters.add(counter(
                registry,
                tags,
                "jetty.sessions.store.skipped",
                "saves that wrote nothing: only the expiry had moved since this node wrote the session, and by little",
                statistics,
                SessionStoreStatistics::getStoresSkipped));
        meters.add(
                Gauge.builder("jetty.sessions.database.unreachable", statistics, s -> s.isDatabaseUnreachable() ? 1 : 0)
                        .description("1 while the database is not answering")
                        .tags(tags)
                        .register(registry));
        CachedCount stored =
                new CachedCount(() -> store.admin().countInContext(store.getContextPath(), store.getVirtualHost()));
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
    static Meter expiredWaiting(SessionTableDataStore store, MeterRegistry registry) {
        CachedCount expired = new CachedCount(() -> store.admin().countExpired());
        return Gauge.builder("jetty.sessions.expired.waiting", expired, CachedCount::value)
                .description("sessions of every context expired and not yet deleted (refreshed at most every 30 s)")
                .tags("table", store.getTableName(), "store", engine(store))
                .strongReference(true)
                .register(registry);
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
}
