package io.github.jettysqlite.sessions.internal;

import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * Count, failures, mean and maximum latency of one kind of store call; lock-free, so it costs the request path
 * nothing.
 */
public final class OperationStats {
    private final LongAdder count = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final LongAccumulator maxNanos = new LongAccumulator(Math::max, 0);
    /** Where each call's duration goes as well (a meter registry's timer), or null. */
    private volatile LongConsumer durations;

    /** Records one call that began at {@code startNanos} ({@link System#nanoTime()}) and ended now. */
    public void recordSince(long startNanos, boolean failed) {
        long elapsed = System.nanoTime() - startNanos;
        count.increment();
        if (failed) {
            failures.increment();
        }
        totalNanos.add(elapsed);
        maxNanos.accumulate(elapsed);
        LongConsumer sink = durations;
        if (sink != null) {
            sink.accept(elapsed);
        }
    }

    /** Hands every call's duration, in nanoseconds, to {@code sink} as well; null stops that. */
    public void recordDurationsTo(LongConsumer sink) {
        this.durations = sink;
    }

    public long count() {
        return count.sum();
    }

    public long failures() {
        return failures.sum();
    }

    public double meanMillis() {
        long n = count.sum();
        return n == 0 ? 0 : totalNanos.sum() / 1e6 / n;
    }

    public double totalMillis() {
        return totalNanos.sum() / 1e6;
    }

    public double maxMillis() {
        return maxNanos.get() / 1e6;
    }

    /** Starts counting afresh; calls running meanwhile may land on either side. */
    public void reset() {
        count.reset();
        failures.reset();
        totalNanos.reset();
        maxNanos.reset();
    }
}
