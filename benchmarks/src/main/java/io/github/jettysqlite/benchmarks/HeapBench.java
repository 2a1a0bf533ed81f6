package io.github.jettysqlite.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.session.SessionData;

/**
 * Bytes of heap per session as Jetty's {@code DefaultSessionCache} holds it: N sessions are stored through a store,
 * then loaded back through it and every returned {@link SessionData} kept in a list; the heap used after the loads
 * minus the heap used before, each read once repeated full collections have settled it, divided by N. Counts
 * everything a load leaves reachable (the data, its attributes, whatever the store keeps for it), not the cache's
 * own map entry and {@code Session} wrapper, which are the same for every store.
 */
final class HeapBench {
    static final List<String> SUBJECTS = List.of(HeapResults.OURS, HeapResults.JETTY);
    private static final int WARM_LOADS = 200;
    private static final long SETTLED_BYTES = 16 * 1024;

    private final Options options;
    private final Report report;

    HeapBench(Options options, Report report) {
        this.options = options;
        this.report = report;
    }

    void run() throws Exception {
        int size = options.sizes().get(0);
        for (Shape shape : options.shapes()) {
            for (String name : SUBJECTS) {
                Path dir = Files.createDirectories(
                        options.dataDir().resolve("heap-" + name.replace('/', '-') + "-" + shape.label()));
                try (StoreSubject subject = (StoreSubject) Subjects.open(name, dir)) {
                    measure(subject, size, shape);
                } finally {
                    Bench.deleteRecursively(dir);
                }
            }
        }
    }

    private void measure(StoreSubject subject, int size, Shape shape) throws Exception {
        int n = options.heapSessions();
        List<BenchSession> stored = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BenchSession s = subject.create("heap-" + shape.label() + "-" + i, size, shape);
            subject.storeNew(s);
            stored.add(s);
        }
        // The load path runs before the first reading, so nothing it sets up once is counted per session.
        for (int i = 0; i < Math.min(WARM_LOADS, n); i++) {
            subject.store().load(stored.get(i).id);
        }
        List<SessionData> held = new ArrayList<>(n);
        long before = settledUsedHeap();
        for (BenchSession s : stored) {
            held.add(subject.store().load(s.id));
        }
        long after = settledUsedHeap();
        int wrong = 0;
        for (int i = 0; i < n; i++) {
            wrong += stored.get(i).matches(held.get(i)) ? 0 : 1;
        }
        int serialized = Sessions.serialize(stored.get(0).data).length;
        double perSession = (double) (after - before) / n;
        report.heap(subject.name(), shape, size, n, serialized, perSession, wrong);
        System.out.printf(
                "heap %-22s %-4s %6d B: %,.0f bytes per cached session (%d serialized, %d loads wrong)%n",
                subject.name(), shape.label(), size, perSession, serialized, wrong);
        Reference.reachabilityFence(held);
    }

    /** Used heap once repeated full collections no longer change it (by less than 16 KiB between two readings). */
    static long settledUsedHeap() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long previous = -1;
        for (int i = 0; i < 50; i++) {
            System.gc();
            Thread.sleep(30);
            long used = memory.getHeapMemoryUsage().getUsed();
            if (i >= 2 && Math.abs(used - previous) < SETTLED_BYTES) {
                return used;
            }
            previous = used;
        }
        return previous;
    }
}
