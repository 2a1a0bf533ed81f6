package io.github.jettysqlite.sessions;

import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/** Count, mean and maximum latency of one kind of store call; lock-free, so it costs the request path nothing. */
final class OperationStats {
    private final LongAdder count = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final LongAccumulator maxNanos = new LongAccumulator(Math::max, 0);

    void recordSince(long startNanos) {
        long elapsed = System.nanoTime() - startNanos;
        count.increment();
        totalNanos.add(elapsed);
        maxNanos.accumulate(elapsed);
    }

    long count() {
        return count.sum();
    }

    double meanMillis() {
        long n = count.sum();
        return n == 0 ? 0 : totalNanos.sum() / 1e6 / n;
    }

    double maxMillis() {
        return maxNanos.get() / 1e6;
    }
}
