package io.github.jettysqlite.sessions.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
    /** Where each call's duration goes as well: the timers of every meter registry bound to the store. */
    private final List<LongConsumer> durations = new CopyOnWriteArrayList<>();

    /** Records one call that began at {@code startNanos} ({@link System#nanoTime()}) and ended now. */
    public void recordSince(long startNanos, boolean failed) {
        long elapsed = System.nanoTime() - startNanos;
        count.increment();
        if (failed) {
            failures.increment();
        }
        totalNanos.add(elapsed);
        maxNanos.accumulate(elapsed);
        for (LongConsumer sink : durations) {
            sink.accept(elapsed);
        }
    }

    /** A call whose duration and outcome are recorded. */
    @FunctionalInterface
    public interface Call<T, E extends Exception> {
        T run() throws E;
    }

    /** Runs {@code call} and records it, as failed when it throws. */
    public <T, E extends Exception> T time(Call<T, E> call) throws E {
        long start = System.nanoTime();
        boolean failed = true;
        try {
            T result = call.run();
            failed = false;
            return result;
        } finally {
            recordSince(start, failed);
        }
    }

    /** Hands every call's duration, in nanoseconds, to {@code sink} as well, until it is removed. */
    public void addDurationSink(LongConsumer sink) {
        durations.add(sink);
    }

    public void removeDurationSink(LongConsumer sink) {
        durations.remove(sink);
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
