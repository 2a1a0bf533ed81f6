package io.github.jettysqlite.sessions.support;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Bounded waits for tests that arrange threads: none of them can hang a build, and none lets a test go on as if what
 * it waited for had happened. The bound is generous on purpose: it only exists so that a broken build ends, and must
 * never be what a loaded machine trips over. Tests that wait for something state what, so that a failure names it.
 */
public final class Waiting {
    /** How long any wait may take before the test fails: far beyond anything a loaded machine needs. */
    public static final long SECONDS = 60;

    private Waiting() {}

    /**
     * Waits for the latch to open, failing with an {@link AssertionError} naming what was awaited when it does not
     * open within {@link #SECONDS}, or when the wait is interrupted (the interrupt is kept for the caller to see).
     */
    public static void await(CountDownLatch latch, String what) {
        boolean opened;
        try {
            opened = latch.await(SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while awaiting " + what, e);
        }
        if (!opened) {
            throw new AssertionError(what + ": not reached in " + SECONDS + " s");
        }
    }

    /** A condition to wait for, which may look at a database or a server to decide. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Polls the condition until it holds, failing the test, naming what was awaited, after {@link #SECONDS}; an
     * exception the condition throws fails the test at once.
     */
    public static void until(String what, Condition condition) throws Exception {
        until(what, () -> null, condition::holds);
    }

    /** A condition that throws only what it declares, so that its caller need declare nothing more. */
    @FunctionalInterface
    public interface Check<E extends Exception> {
        boolean holds() throws E;
    }

    /**
     * As {@link #until(String, Condition)}, the failure also saying where things stood when the wait gave up, as
     * {@code state} tells it then (how far each of several threads got, what a child process printed); the condition
     * may throw only its own exceptions (a bounded poll of a queue: {@link InterruptedException}).
     */
    public static <E extends Exception> void until(String what, Supplier<String> state, Check<E> condition)
            throws E, InterruptedException {
        until(what, 5, state, condition);
    }

    /**
     * As {@link #until(String, Supplier, Check)}, looking again every {@code pollMillis}: for a condition that is
     * costly to look at (one that runs a program), so that waiting for it does not load the machine it waits on.
     */
    public static <E extends Exception> void until(
            String what, long pollMillis, Supplier<String> state, Check<E> condition) throws E, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                String where = state.get();
                throw new AssertionError(
                        what + ": not reached in " + SECONDS + " s" + (where == null ? "" : "; " + where));
            }
            Thread.sleep(pollMillis);
        }
    }
}
