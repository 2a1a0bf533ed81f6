package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.OperationStats;
import io.github.jettysqlite.sessions.internal.OutageWatch;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import org.eclipse.jetty.util.annotation.ManagedAttribute;
import org.eclipse.jetty.util.annotation.ManagedObject;
import org.eclipse.jetty.util.annotation.ManagedOperation;

/**
 * What a store did, for JMX: Jetty's contract calls with their failures and latencies, how often concurrent
 * writes merged, and scavenging. Added to its store as a child bean when the store starts, so a JMX console finds it
 * under the store, named after its context.
 * Every figure is a lock-free counter: reading them costs the database nothing.
 */
@ManagedObject("Calls and timings of a session store")
public final class SessionStoreStatistics {
    private final OperationStats loads = new OperationStats();
    private final OperationStats stores = new OperationStats();
    private final OperationStats deletes = new OperationStats();
    private final LongAdder merged = new LongAdder();
    private final LongAdder deletedElsewhere = new LongAdder();
    private final OperationStats cacheChecks = new OperationStats();
    private final LongAdder cacheMetadataTaken = new LongAdder();
    private final LongAdder cacheChecksSignalled = new LongAdder();
    private final LongAdder cacheReloads = new LongAdder();
    private final LongAdder cacheDrops = new LongAdder();
    private final LongAdder savesRefused = new LongAdder();
    private final LongAdder endedSessionChangesRefused = new LongAdder();
    private final LongAdder attributesNotLoaded = new LongAdder();
    private final LongAdder storesSkipped = new LongAdder();
    private volatile long lastScavengeNanos;
    private volatile long lastOrphansRemoved;
    private volatile String context;
    private volatile OutageWatch outages;

    void context(String canonicalContextPath) {
        context = canonicalContextPath;
    }

    /**
     * The canonical path of the context these figures are of ("_" for a server's root context, "" for a store used
     * without a server); null before it starts.
     */
    @ManagedAttribute(value = "the context these figures are of, in Jetty's canonical form", readonly = true)
    public String getContext() {
        return context;
    }

    /** The outages of the database the store runs on, when its engine retries through them. */
    void outages(OutageWatch watch) {
        outages = watch;
    }

    /**
     * Hands the duration of every call of one kind, in nanoseconds, to {@code sink} as well (a meter registry's timer,
     * which can then publish percentiles), until {@link #stopRecordingDurationsTo} with the same sink; several sinks
     * (one per registry) may listen at once.
     *
     * @param operation {@code load}, {@code store}, {@code delete} or {@code cache.check}
     */
    public void recordDurationsTo(String operation, LongConsumer sink) {
        operation(operation).addDurationSink(sink);
    }

    public void stopRecordingDurationsTo(String operation, LongConsumer sink) {
        operation(operation).removeDurationSink(sink);
    }

    private OperationStats operation(String operation) {
        return switch (operation) {
            case "load" -> loads;
            case "store" -> stores;
            case "delete" -> deletes;
            case "cache.check" -> cacheChecks;
            default -> throw new IllegalArgumentException("no operation " + operation);
        };
    }

    OperationStats loads() {
        return loads;
    }

    OperationStats stores() {
        return stores;
    }

    OperationStats deletes() {
        return deletes;
    }

    void mergedWrite() {
        merged.increment();
    }

    void storeOfDeletedSession() {
        deletedElsewhere.increment();
    }

    OperationStats cacheChecks() {
        return cacheChecks;
    }

    void cacheChecked(CachedSessionCheck outcome) {
        switch (outcome) {
            case METADATA_TAKEN -> cacheMetadataTaken.increment();
            case ATTRIBUTES_CHANGED -> cacheReloads.increment();
            case GONE -> cacheDrops.increment();
            case CURRENT -> {}
        }
    }

    /** A cached copy used without reading its row: no change of it was announced since it was last known current. */
    void cacheCheckSignalled() {
        cacheChecksSignalled.increment();
    }

    /** A cached copy dropped because its row was found gone by a save rather than by a check. */
    void cacheDropped() {
        cacheDrops.increment();
    }

    void saveRefused() {
        savesRefused.increment();
    }

    /** Requests refused because their session was ended elsewhere while they changed it (see the getter). */
    void endedSessionChangesRefused(int requests) {
        endedSessionChangesRefused.add(requests);
    }

    /** A save that had nothing to write but a slightly later expiry (see the getter). */
    void storeSkipped() {
        storesSkipped.increment();
    }

    /** Attributes a load left out because this node cannot load their class (see the getter). */
    void attributesNotLoaded(int attributes) {
        attributesNotLoaded.add(attributes);
    }

    void scavenged(long nanos) {
        lastScavengeNanos = nanos;
    }

    void orphansRemoved(long rows) {
        lastOrphansRemoved = rows;
    }

    @ManagedAttribute(value = "sessions loaded", readonly = true)
    public long getLoadCount() {
        return loads.count();
    }

    @ManagedAttribute(value = "loads that failed (database error or unreadable session)", readonly = true)
    public long getLoadFailures() {
        return loads.failures();
    }

    @ManagedAttribute(value = "mean load time in ms", readonly = true)
    public double getLoadMeanMs() {
        return loads.meanMillis();
    }

    @ManagedAttribute(value = "time spent in loads, in ms (with the count, a rate for any window)", readonly = true)
    public double getLoadTotalMs() {
        return loads.totalMillis();
    }

    @ManagedAttribute(value = "longest load time in ms", readonly = true)
    public double getLoadMaxMs() {
        return loads.maxMillis();
    }

    @ManagedAttribute(value = "sessions stored", readonly = true)
    public long getStoreCount() {
        return stores.count();
    }

    @ManagedAttribute(
            value =
                    "stores that failed (refused with 503 as the response was committed, else left unsaved in the cache)",
            readonly = true)
    public long getStoreFailures() {
        return stores.failures();
    }

    @ManagedAttribute(value = "mean store time in ms", readonly = true)
    public double getStoreMeanMs() {
        return stores.meanMillis();
    }

    @ManagedAttribute(value = "time spent in stores, in ms (with the count, a rate for any window)", readonly = true)
    public double getStoreTotalMs() {
        return stores.totalMillis();
    }

    @ManagedAttribute(value = "longest store time in ms", readonly = true)
    public double getStoreMaxMs() {
        return stores.maxMillis();
    }

    @ManagedAttribute(
            value = "requests answered 503 because the database refused their session changes (changes dropped)",
            readonly = true)
    public long getSavesRefused() {
        return savesRefused.sum();
    }

    @ManagedAttribute(
            value = "requests answered 503 because their session was ended elsewhere (a logout on another node, an"
                    + " expiry) while they changed it or gave it a new id",
            readonly = true)
    public long getEndedSessionChangesRefused() {
        return endedSessionChangesRefused.sum();
    }

    @ManagedAttribute(
            value = "attributes left out of loaded sessions because this node cannot load their class (a class it lacks"
                    + " or holds in an incompatible version, as during a rolling deploy); the rows keep them",
            readonly = true)
    public long getAttributesNotLoaded() {
        return attributesNotLoaded.sum();
    }

    @ManagedAttribute(
            value = "saves that wrote nothing: this node had written the session, and only its expiry had moved"
                    + " since, by at most the lesser of 1 % of its timeout and a second (as when a request lets go of"
                    + " a session its response saved); counted in storeCount too",
            readonly = true)
    public long getStoresSkipped() {
        return storesSkipped.sum();
    }

    @ManagedAttribute(value = "sessions deleted", readonly = true)
    public long getDeleteCount() {
        return deletes.count();
    }

    @ManagedAttribute(value = "deletes that failed", readonly = true)
    public long getDeleteFailures() {
        return deletes.failures();
    }

    @ManagedAttribute(value = "mean delete time in ms", readonly = true)
    public double getDeleteMeanMs() {
        return deletes.meanMillis();
    }

    @ManagedAttribute(value = "time spent in deletes, in ms (with the count, a rate for any window)", readonly = true)
    public double getDeleteTotalMs() {
        return deletes.totalMillis();
    }

    @ManagedAttribute(value = "longest delete time in ms", readonly = true)
    public double getDeleteMaxMs() {
        return deletes.maxMillis();
    }

    @ManagedAttribute(value = "attribute writes merged with a concurrent change of the same session", readonly = true)
    public long getMergedWrites() {
        return merged.sum();
    }

    @ManagedAttribute(value = "stores of sessions deleted elsewhere meanwhile, left deleted", readonly = true)
    public long getStoresOfDeletedSessions() {
        return deletedElsewhere.sum();
    }

    @ManagedAttribute(
            value = "cached sessions checked against the table before a request (coherent cache)",
            readonly = true)
    public long getCacheChecks() {
        return cacheChecks.count();
    }

    @ManagedAttribute(
            value = "cached sessions used without reading their row, since the change signals said none changed",
            readonly = true)
    public long getCacheChecksSignalled() {
        return cacheChecksSignalled.sum();
    }

    @ManagedAttribute(value = "checks of cached sessions that failed (database error)", readonly = true)
    public long getCacheCheckFailures() {
        return cacheChecks.failures();
    }

    @ManagedAttribute(value = "mean time of a cached session's check in ms", readonly = true)
    public double getCacheCheckMeanMs() {
        return cacheChecks.meanMillis();
    }

    @ManagedAttribute(value = "checks that took in access times or a timeout another node wrote", readonly = true)
    public long getCacheMetadataTaken() {
        return cacheMetadataTaken.sum();
    }

    @ManagedAttribute(
            value = "checks that found attributes changed elsewhere, so the session was reloaded",
            readonly = true)
    public long getCacheReloads() {
        return cacheReloads.sum();
    }

    @ManagedAttribute(
            value = "cached sessions dropped because they were deleted elsewhere (found by a check or by a save)",
            readonly = true)
    public long getCacheDrops() {
        return cacheDrops.sum();
    }

    @ManagedAttribute(value = "is the database not answering now (PostgreSQL: connections lost)", readonly = true)
    public boolean isDatabaseUnreachable() {
        OutageWatch watch = outages;
        return watch != null && watch.isUnreachable();
    }

    @ManagedAttribute(value = "times the database stopped answering (shared by every store on it)", readonly = true)
    public long getDatabaseOutages() {
        OutageWatch watch = outages;
        return watch == null ? 0 : watch.outages();
    }

    @ManagedAttribute(value = "units of work run again on a fresh connection after a lost one", readonly = true)
    public long getDatabaseRetries() {
        OutageWatch watch = outages;
        return watch == null ? 0 : watch.retries();
    }

    @ManagedAttribute(value = "time work spent waiting for the database to come back, in ms", readonly = true)
    public double getDatabaseWaitMs() {
        OutageWatch watch = outages;
        return watch == null ? 0 : watch.waitedMillis();
    }

    @ManagedAttribute(
            value = "work that failed because the database stayed away past the wait, or cancelled a statement that"
                    + " ran too long",
            readonly = true)
    public long getDatabaseGaveUp() {
        OutageWatch watch = outages;
        return watch == null ? 0 : watch.gaveUpCount();
    }

    @ManagedAttribute(
            value = "saved changes other nodes could not be told of (their coherent caches saw them within a second)",
            readonly = true)
    public long getChangesNotAnnounced() {
        OutageWatch watch = outages;
        return watch == null ? 0 : watch.changesNotAnnounced();
    }

    @ManagedAttribute(value = "duration of the last scavenging pass in ms", readonly = true)
    public double getLastScavengeDurationMs() {
        return lastScavengeNanos / 1e6;
    }

    @ManagedAttribute(value = "expired sessions the last orphan sweep removed", readonly = true)
    public long getLastScavengeRowsRemoved() {
        return lastOrphansRemoved;
    }

    @ManagedOperation(value = "start every count and timing afresh", impact = "ACTION")
    public void reset() {
        loads.reset();
        stores.reset();
        deletes.reset();
        merged.reset();
        deletedElsewhere.reset();
        cacheChecks.reset();
        cacheMetadataTaken.reset();
        cacheChecksSignalled.reset();
        cacheReloads.reset();
        cacheDrops.reset();
        savesRefused.reset();
        endedSessionChangesRefused.reset();
        attributesNotLoaded.reset();
        storesSkipped.reset();
    }
}
