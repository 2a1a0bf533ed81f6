package io.github.jettysqlite.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Bytes on disk per 10,000 sessions: each store is given the sessions through its own {@code store}, then stopped
 * (which checkpoints and removes SQLite's WAL), and every file it left is counted.
 */
final class SizeBench {
    static final List<String> SUBJECTS = List.of("sqlite-store/NORMAL", "jdbc-hikari/NORMAL", "file-store");
    private static final int WRITERS = 4;

    private final Options options;
    private final Report report;

    SizeBench(Options options, Report report) {
        this.options = options;
        this.report = report;
    }

    void run() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            for (String name : SUBJECTS) {
                for (int size : options.sizes()) {
                    for (Shape shape : options.shapes()) {
                        measure(pool, name, size, shape);
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    private void measure(ExecutorService pool, String name, int size, Shape shape) throws Exception {
        int n = options.sizeSessions();
        Path dir = Files.createDirectories(
                options.dataDir().resolve("size-" + name.replace('/', '-') + "-" + size + "-" + shape.label()));
        try {
            try (Subject subject = Subjects.open(name, dir)) {
                List<Future<Integer>> parts = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    int first = w;
                    parts.add(pool.submit(() -> {
                        int stored = 0;
                        for (int i = first; i < n; i += WRITERS) {
                            stored += subject.storeNew(subject.create("size-" + i, size, shape));
                        }
                        return stored;
                    }));
                }
                int stored = 0;
                for (Future<Integer> part : parts) {
                    stored += part.get();
                }
                if (stored != n) {
                    throw new IllegalStateException(name + " stored " + stored + " of " + n);
                }
            }
            long bytes = bytesUnder(dir);
            report.size(name, size, shape, bytes * 10_000 / n);
            System.out.printf(
                    "size %-22s %6d B %-4s: %,d bytes per 10k sessions%n",
                    name, size, shape.label(), bytes * 10_000 / n);
        } finally {
            Bench.deleteRecursively(dir);
        }
    }

    private static long bytesUnder(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            long total = 0;
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }
}
