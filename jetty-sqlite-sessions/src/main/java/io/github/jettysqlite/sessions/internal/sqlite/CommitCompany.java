package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.Synchronous;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * How long the leader of {@link GroupCommitWriter} waits, before it takes its batch, for the callers it expects: only
 * where every commit waits for the disk ({@code synchronous=FULL} or {@code EXTRA}).
 *
 * <p>There a commit costs an fsync. The callers one batch completes go back to their requests and come back with
 * their next write some tens of microseconds later, by which time the first of them to come back leads a batch of its
 * own write alone, and each batch pays an fsync (at four threads the throughput matched about two writes per fsync).
 * So the leader waits for as many writes as there were callers inside the writer at once during the last batch, for
 * at most half the mean time of a batch (statements and commit), and commits them together (measured in {@code
 * docs/benchmarks.md}, "Under FULL, the leader waits for the writers it expects (stop 46)").
 *
 * <p>It adapts batch by batch: when fewer callers come (a thread stopped writing), the next batch expects what this
 * one saw. Callers that spend longer between writes than a wait lasts (a request doing its work) would make leaders
 * wait in vain batch after batch, so after each wait that ran out, more of the following batches (up to 63) are taken
 * without one; a wait that is met starts over. A leader whose last batch had nobody else inside the writer never
 * waits, so a lone writer never does. The bound is a deadline: the leader yields its core while it waits, and on a
 * machine whose cores are all busy the scheduler may give it back later than that.
 *
 * <p>Under {@code NORMAL} or {@code OFF} nobody waits. Waiting under {@code NORMAL} too was measured ({@code
 * docs/benchmarks.md}, stop 49): in the store's own benchmark, whose threads write back to back, it cut the p99 of
 * writes at four and eight threads by a third to two thirds; but two Jetty nodes over HTTP, whose request threads work
 * between writes, leaned towards more CPU per request with it, so it was not kept.
 */
final class CommitCompany {
    /** However slow the disk, a leader waits no longer than this for company. */
    static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final boolean waits;
    /** The longest wait: {@link #MAX_WAIT_NANOS}, or a fixed wait a test gives. */
    private final long maxWaitNanos;
    /** Whether a wait is also bounded by half the mean batch (not for tests' fixed waits). */
    private final boolean boundByBatches;
    /** Most callers inside the writer at once since the current batch was taken: a hint, read without a lock. */
    private final AtomicInteger peakInside = new AtomicInteger();

    // Used only by the leader, holding the writer's lock (which orders them from one leader to the next).
    private int expectedWrites = 1;
    private long meanBatchNanos;
    /** Batches taken without a wait after waits that ran out. */
    private final SkipsAfterFailures waitChances = new SkipsAfterFailures();

    /** Whether a leader is waiting for company now, for tests. */
    private volatile boolean waiting;

    private CommitCompany(boolean waits, long maxWaitNanos, boolean boundByBatches) {
        this.waits = waits;
        this.maxWaitNanos = maxWaitNanos;
        this.boundByBatches = boundByBatches;
    }

    /** The company a writer of a database with this durability waits for. */
    static CommitCompany of(Synchronous synchronous) {
        boolean commitsWaitForDisk = synchronous == Synchronous.FULL || synchronous == Synchronous.EXTRA;
        return new CommitCompany(commitsWaitForDisk, MAX_WAIT_NANOS, true);
    }

    /** Never waits. */
    static CommitCompany none() {
        return new CommitCompany(false, 0, true);
    }

    /** For tests: waits up to this long, however short the batches are. */
    static CommitCompany waitingUpTo(long nanos) {
        return new CommitCompany(true, nanos, false);
    }

    /** A caller is entering the writer; {@code inside} callers are in it now, this one included. */
    void arrived(int inside) {
        if (waits && inside > peakInside.get()) {
            peakInside.accumulateAndGet(inside, Math::max);
        }
    }

    /**
     * The leader, holding the writer: waits until {@code queued} reports as many writes as it expects, the wait is
     * over, or the thread is interrupted. The thread yields meanwhile, so that on a machine with few cores the callers
     * it waits for can run.
     */
    void awaitExpected(IntSupplier queued) {
        long wait = waitNanos();
        if (wait <= 0 || queued.getAsInt() >= expectedWrites) {
            return;
        }
        if (waitChances.skipThisOne()) {
            return;
        }
        long deadline = System.nanoTime() + wait;
        waiting = true;
        try {
            while (queued.getAsInt() < expectedWrites) {
                if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
                    waitChances.failed();
                    return;
                }
                Thread.yield();
            }
            waitChances.succeeded();
        } finally {
            waiting = false;
        }
    }

    /** How long the next leader would wait for company that does not come; 0 when it would not wait. */
    long waitNanos() {
        if (!waits || expectedWrites <= 1) {
            return 0;
        }
        return boundByBatches ? Math.min(meanBatchNanos / 2, maxWaitNanos) : maxWaitNanos;
    }

    /** The leader takes a batch: the callers inside now are where the count for the next batch starts. */
    void batchTaken(int inside) {
        if (waits) {
            peakInside.set(inside);
        }
    }

    /** The leader committed (or failed) a batch that took this long. */
    void batchEnded(long tookNanos, int maxBatch) {
        if (!waits) {
            return;
        }
        // One batch that waited out a busy timeout must not make the waits long for the many after it: no sample
        // counts for more than twice the longest wait, which changes no wait.
        long sample = Math.min(tookNanos, 2 * maxWaitNanos);
        meanBatchNanos = meanBatchNanos == 0 ? sample : meanBatchNanos + (sample - meanBatchNanos) / 8;
        expectedWrites = Math.min(peakInside.get(), maxBatch);
    }

    /** Whether a leader is waiting for company now, for tests. */
    boolean waiting() {
        return waiting;
    }

    /** Whether leaders wait for company at all, for tests. */
    boolean waits() {
        return waits;
    }

    /** How many writes the next leader waits for, for tests. */
    int expectedWrites() {
        return expectedWrites;
    }
}
