package io.github.jettysqlite.benchmarks;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one operation on a fixed number of threads for a warm-up period and then a measured period, recording the
 * latency of every measured call. Not a microbenchmark framework: calls take microseconds to milliseconds, so
 * {@code System.nanoTime()} around each call is precise enough, and the per-cell warm-up plus a longer first
 * warm-up per operation lets the JIT compile the hot path before anything is recorded.
 */
final class Measure {
    /** One call of the measured operation on the given thread; returns how many operations it completed. */
    @FunctionalInterface
    interface Op {
        /**
         * @return operations done by this call (1 usually, 100 for a 100-row transaction), 0 when the operation
         *     returned wrong data (counted as an error), or {@link #EXHAUSTED} when there is nothing left to do;
         *     {@code measuring} is false during the warm-up, so an operation that consumes prepared work (a
         *     delete) can warm up on work of its own
         */
        int run(int thread, boolean measuring) throws Exception;
    }

    static final int EXHAUSTED = -1;

    private static final int MAX_SAMPLES_PER_THREAD = 1 << 22;

    private Measure() {}

    /**
     * Ops per second, latency percentiles in microseconds, failed or wrong calls ({@code errors}) and, of those, the
     * ones that returned wrong data without throwing ({@code wrong}), and the bytes the process handed to the file
     * system while measuring ({@code bytesWritten}, -1 where the system does not count them).
     */
    record Stats(
            long ops,
            double seconds,
            double opsPerSec,
            double p50Us,
            double p99Us,
            long errors,
            long wrong,
            String firstError,
            long bytesWritten) {
        /** Bytes written per operation, or NaN when not counted. */
        double bytesPerOp() {
            return bytesWritten < 0 || ops == 0 ? Double.NaN : (double) bytesWritten / ops;
        }
    }

    /**
     * The calling thread's lane: {@code bench-<index>} on a thread this class started for a cell (the same lane for
     * the thread of that index in every cell), otherwise a name of the thread's own.
     */
    static String lane() {
        Thread current = Thread.currentThread();
        return current instanceof Worker w ? "bench-" + w.index : "thread-" + current.getId();
    }

    static Stats run(int threads, long warmupMs, long measureMs, Op op) throws InterruptedException {
        Worker[] workers = new Worker[threads];
        CountDownLatch finished = new CountDownLatch(threads);
        Phase phase = new Phase();
        for (int t = 0; t < threads; t++) {
            workers[t] = new Worker(t, op, phase, finished);
        }
        for (Worker w : workers) {
            w.start();
        }
        Thread.sleep(warmupMs);
        long writtenBefore = IoCounter.bytesWritten();
        long start = System.nanoTime();
        phase.startNanos = start;
        phase.state = Phase.MEASURE;
        boolean allExhausted = finished.await(measureMs, TimeUnit.MILLISECONDS);
        // A slow call (a checkpoint, a cold path) must not leave a thread without one measured call.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!allExhausted
                && System.nanoTime() < deadline
                && !Arrays.stream(workers).allMatch(w -> w.measuredOnce || w.exitNanos != 0)) {
            allExhausted = finished.await(1, TimeUnit.MILLISECONDS);
        }
        phase.state = Phase.DONE;
        long end = System.nanoTime();
        long writtenAfter = IoCounter.bytesWritten();
        finished.await();
        for (Worker w : workers) {
            w.join();
        }
        if (allExhausted) {
            // Every thread ran out of work before the period ended: the rate counts until the last one stopped.
            end = Arrays.stream(workers).mapToLong(w -> w.exitNanos).max().orElse(end);
        }
        long ops = 0;
        long errors = 0;
        long wrong = 0;
        String firstError = null;
        int samples = 0;
        for (Worker w : workers) {
            ops += w.ops;
            errors += w.errors;
            wrong += w.wrong;
            samples += w.count;
            if (firstError == null && w.firstError.get() != null) {
                firstError = w.firstError.get();
            }
        }
        long[] all = new long[samples];
        int at = 0;
        for (Worker w : workers) {
            System.arraycopy(w.latencies, 0, all, at, w.count);
            at += w.count;
        }
        Arrays.sort(all);
        double seconds = Math.max(1, end - start) / 1e9;
        long written = writtenBefore < 0 || writtenAfter < 0 ? -1 : writtenAfter - writtenBefore;
        return new Stats(
                ops,
                seconds,
                ops / seconds,
                percentile(all, 0.50),
                percentile(all, 0.99),
                errors,
                wrong,
                firstError,
                written);
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1000.0;
    }

    /** Times a single-threaded action {@code repeats} times after {@code warmups} unrecorded runs. */
    static double[] timesMs(int warmups, int repeats, Action action) throws Exception {
        for (int i = 0; i < warmups; i++) {
            action.run();
        }
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            action.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    static double median(double[] values) {
        double[] copy = values.clone();
        Arrays.sort(copy);
        return copy[copy.length / 2];
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    private static final class Phase {
        static final int WARMUP = 0;
        static final int MEASURE = 1;
        static final int DONE = 2;
        volatile int state = WARMUP;
        volatile long startNanos;
    }

    private static final class Worker extends Thread {
        private final int index;
        private final Op op;
        private final Phase phase;
        private final CountDownLatch finished;
        private final AtomicReference<String> firstError = new AtomicReference<>();
        long[] latencies = new long[1024];
        int count;
        long ops;
        long errors;
        long wrong;
        volatile long exitNanos;
        volatile boolean measuredOnce;

        Worker(int index, Op op, Phase phase, CountDownLatch finished) {
            super("bench-" + index);
            this.index = index;
            this.op = op;
            this.phase = phase;
            this.finished = finished;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                int state;
                while ((state = phase.state) != Phase.DONE) {
                    long t0 = System.nanoTime();
                    int done;
                    try {
                        done = op.run(index, state == Phase.MEASURE);
                        if (done == 0) {
                            wrong++;
                        }
                    } catch (Exception | Error e) {
                        done = 0;
                        if (firstError.get() == null) {
                            firstError.set(e.toString());
                        }
                    }
                    long t1 = System.nanoTime();
                    if (done == EXHAUSTED) {
                        break;
                    }
                    if (done == 0) {
                        errors++;
                    } else if (state == Phase.MEASURE && t0 >= phase.startNanos) {
                        ops += done;
                        record(t1 - t0);
                        measuredOnce = true;
                    }
                }
            } finally {
                exitNanos = System.nanoTime();
                finished.countDown();
            }
        }

        private void record(long nanos) {
            if (count == latencies.length) {
                if (count >= MAX_SAMPLES_PER_THREAD) {
                    return;
                }
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = nanos;
        }
    }
}
