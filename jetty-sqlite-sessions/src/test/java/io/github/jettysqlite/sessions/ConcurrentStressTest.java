package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads store, load, delete, expire and sweep overlapping ids at once, checked against a model. Operations
 * on one id are serialized by the test (as Jetty's session lock does), different ids and the sweeps run
 * concurrently. No lost update, no resurrected session, no exception.
 */
class ConcurrentStressTest {
    private static final int THREADS = 16;
    private static final int IDS = 40;
    private static final long MILLIS = Long.getLong("stress.millis", 5_000);
    private static final AtomicLong CREATED = new AtomicLong(System.currentTimeMillis() - 3_600_000);

    @TempDir
    Path dir;

    /** What the model knows of one id: absent, live with a value, or expired with a value a sweep may remove. */
    private static final class Expected {
        Integer value;
        boolean expired;
    }

    @Test
    void randomOperationsAgreeWithTheModel() throws Exception {
        long seed = Long.getLong("stress.seed", System.nanoTime());
        try (SQLiteFixture fixture = new SQLiteFixture(dir.resolve("stress.db"))) {
            SQLiteSessionDataStore store = fixture.store();
            Expected[] model = new Expected[IDS];
            for (int i = 0; i < IDS; i++) {
                model[i] = new Expected();
            }
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            AtomicLong operations = new AtomicLong();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MILLIS);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                SplittableRandom random = new SplittableRandom(seed + t);
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline && failures.isEmpty()) {
                        try {
                            step(store, model, random);
                            operations.incrementAndGet();
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(MILLIS + 60_000, TimeUnit.MILLISECONDS);
            }
            pool.shutdown();

            assertThat(failures).as("seed %d", seed).isEmpty();
            for (int i = 0; i < IDS; i++) {
                check(store, model[i], "id" + i);
            }
            System.out.printf("stress: %d operations by %d threads, seed %d%n", operations.get(), THREADS, seed);
            assertThat(operations.get()).isGreaterThan(1_000);
        }
    }

    private static void step(SQLiteSessionDataStore store, Expected[] model, SplittableRandom random) throws Exception {
        int op = random.nextInt(100);
        if (op < 3) {
            // A sweep takes no id lock: it may remove any expired row at any moment, which the model allows.
            store.doCleanOrphans(System.currentTimeMillis());
            return;
        }
        int index = random.nextInt(IDS);
        String id = "id" + index;
        Expected expected = model[index];
        synchronized (expected) {
            if (op < 40) {
                int value = random.nextInt();
                boolean expire = random.nextInt(5) == 0;
                SessionData data =
                        StoreFixture.session(store, id, expire ? 1 : System.currentTimeMillis() + 3_600_000, "node1");
                data.setAttribute("value", value);
                // Each new session is another session: its own creation time, as two sessions given one id never
                // share one (the store tells a session's own earlier write from another's by it).
                data.setCreated(CREATED.incrementAndGet());
                boolean heldByLiveSession = expected.value != null && !expected.expired;
                try {
                    StoreFixture.put(store, data);
                } catch (java.io.IOException | org.eclipse.jetty.session.UnwriteableSessionDataException refused) {
                    // A new session is never written over another live one: the row must stay as it was.
                    if (!heldByLiveSession) {
                        throw new AssertionError(id + ": a new session was refused over no live one", refused);
                    }
                    check(store, expected, id);
                    return;
                }
                if (heldByLiveSession) {
                    throw new AssertionError(id + ": a new session was written over a live one");
                }
                expected.value = value;
                expected.expired = expire;
            } else if (op < 50) {
                boolean deleted = store.delete(id);
                if (expected.value != null && !expected.expired && !deleted) {
                    throw new AssertionError(id + ": delete found no live session");
                }
                expected.value = null;
            } else if (op < 60) {
                SessionData loaded = store.load(id);
                if (loaded != null && expected.value != null && !expected.expired) {
                    // A touch that changes nothing but metadata: the stored value must stay as it was.
                    loaded.setAccessed(System.currentTimeMillis());
                    loaded.setMetaDataDirty(true);
                    store.store(id, loaded);
                }
                check(store, expected, id);
            } else {
                check(store, expected, id);
            }
        }
    }

    private static void check(SQLiteSessionDataStore store, Expected expected, String id) throws Exception {
        SessionData loaded = store.load(id);
        if (expected.value == null) {
            if (loaded != null) {
                throw new AssertionError(id + " was deleted but came back with " + loaded.getAttribute("value"));
            }
        } else if (loaded == null) {
            if (!expected.expired) {
                throw new AssertionError(id + " holds " + expected.value + " but is gone");
            }
            expected.value = null; // swept, and it stays gone until stored again
        } else if (!expected.value.equals(loaded.getAttribute("value"))) {
            throw new AssertionError(
                    id + " should hold " + expected.value + " but holds " + loaded.getAttribute("value"));
        }
    }
}
