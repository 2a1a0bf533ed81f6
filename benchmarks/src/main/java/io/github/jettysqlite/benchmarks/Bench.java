package io.github.jettysqlite.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.eclipse.jetty.session.SessionData;

/**
 * The benchmark: every section in one run, results printed as they come and written as Markdown to
 * {@code <out>/results.md}. See {@code docs/benchmarks.md} for the command and the meaning of each figure.
 */
public final class Bench {
    private final Options options;
    private final Report report;

    Bench(Options options) {
        this.options = options;
        this.report = new Report(options);
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Report report = new Bench(options).run();
        Path out = report.write();
        System.out.println();
        System.out.println(Files.readString(out));
        System.out.println("Written to " + out.toAbsolutePath());
        List<String> problems = new ArrayList<>(report.problems());
        Path chart = out.resolveSibling(ThroughputChart.FILE);
        if (options.quick() && options.sections().contains("ops") && !Files.exists(chart)) {
            problems.add("no " + chart + " written");
        }
        if (Files.exists(chart)) {
            try {
                ThroughputChart.check(chart);
                System.out.println("Chart written to " + chart.toAbsolutePath());
            } catch (IOException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            System.out.println("PROBLEMS:");
            problems.forEach(p -> System.out.println("  " + p));
            if (options.quick()) {
                System.exit(1); // the smoke run fails
            }
        }
    }

    Report run() throws Exception {
        report.started(Instant.now());
        deleteRecursively(options.dataDir());
        Files.createDirectories(options.dataDir());
        if (options.sections().contains("serde")) {
            serde();
        }
        if (options.sections().contains("ops")) {
            operations();
        }
        if (options.sections().contains("expiry")) {
            new ExpiryBench(options, report).run();
        }
        if (options.sections().contains("size")) {
            new SizeBench(options, report).run();
        }
        if (options.sections().contains("heap")) {
            new HeapBench(options, report).run();
        }
        if (options.sections().contains("http")) {
            new HttpBench(options, report).run();
        }
        if (options.sections().contains("postgres")) {
            new PostgreSQLBench(options, report, this).run();
        }
        if (options.sections().contains("nodes")) {
            new TwoNodeBench(options, report).run();
        }
        report.finished(Instant.now());
        return report;
    }

    /** What Jetty's attribute (de)serialization alone costs, single-threaded: part of every store and load. */
    private void serde() throws Exception {
        for (int size : options.sizes()) {
            for (Shape shape : options.shapes()) {
                serde(size, shape);
            }
        }
    }

    private void serde(int size, Shape shape) throws Exception {
        SessionData data = new SessionData("serde", Sessions.CONTEXT_PATH, Sessions.VHOST, 1, 1, 1, 1);
        BenchSession s = BenchSession.of(data, size, shape);
        byte[] bytes = Sessions.serialize(s.data);
        Measure.Stats ser = Measure.run(1, options.firstWarmupMs(), options.measureMs(), (t, measuring) -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(512);
            ObjectOutputStream oos = new ObjectOutputStream(out);
            SessionData.serializeAttributes(s.data, oos);
            oos.flush();
            return out.size() > shape.payloadLength(size) ? 1 : 0;
        });
        report.serde(size, shape, "serialize", ser);
        Measure.Stats de = Measure.run(1, options.firstWarmupMs(), options.measureMs(), (t, measuring) -> {
            SessionData into = new SessionData("serde", Sessions.CONTEXT_PATH, Sessions.VHOST, 1, 1, 1, 1);
            Sessions.deserialize(into, bytes);
            return s.matches(into) ? 1 : 0;
        });
        report.serde(size, shape, "deserialize", de);
        System.out.printf(
                "serde %6d B %-4s: serialize p50 %.1f us, deserialize p50 %.1f us (%d bytes serialized)%n",
                size, shape.label(), ser.p50Us(), de.p50Us(), bytes.length);
    }

    /**
     * Every operation of every subject, at every thread count, attribute size and shape, each subject on a file of
     * its own. The subjects take turns cell by cell (one operation at one thread count), so a change in the load other
     * processes put on the machine falls on all of them alike and the ratios stay fair.
     */
    private void operations() throws Exception {
        Map<String, Subject> subjects = new LinkedHashMap<>();
        try {
            for (String name : options.subjects()) {
                subjects.put(name, Subjects.open(name, Files.createDirectories(dataDir(name))));
            }
            for (int size : options.sizes()) {
                for (Shape shape : options.shapes()) {
                    operations(subjects, size, shape);
                }
            }
        } finally {
            for (Subject subject : subjects.values()) {
                subject.close();
                deleteRecursively(dataDir(subject.name()));
            }
        }
    }

    /** Every operation of every subject for one attribute size and shape, on base sessions of their own. */
    private void operations(Map<String, Subject> subjects, int size, Shape shape) throws Exception {
        Map<String, List<BenchSession>> bases = new HashMap<>();
        Map<String, ConcurrentLinkedQueue<String>> created = new HashMap<>();
        AtomicLong sequence = new AtomicLong();
        for (Subject subject : subjects.values()) {
            bases.put(subject.name(), base(subject, size, shape, Math.max(options.baseSessions(), maxThreads())));
            created.put(subject.name(), new ConcurrentLinkedQueue<>());
        }
        settle(subjects, options.operations(), size, shape, bases, created, sequence);
        for (Operation op : options.operations()) {
            Map<String, List<ConcurrentLinkedQueue<String>>> toDelete = new HashMap<>();
            if (op == Operation.DELETE) {
                created.forEach((name, ids) -> toDelete.put(name, split(ids)));
            }
            boolean first = true;
            for (int threads : options.threads()) {
                for (Subject subject : subjects.values()) {
                    if (!subject.operations().contains(op)) {
                        continue;
                    }
                    String name = subject.name();
                    ConcurrentLinkedQueue<String> ids =
                            op == Operation.DELETE ? toDelete.get(name).remove(0) : created.get(name);
                    Measure.Op body = body(subject, op, size, shape, threads, bases.get(name), ids, sequence);
                    long warmup = first ? options.firstWarmupMs() : options.warmupMs();
                    Measure.Stats stats = Measure.run(threads, warmup, options.measureMs(), body);
                    report.operation(name, op, size, shape, threads, stats);
                    if (Operation.WRITES.contains(op) && subject.databaseFile() != null) {
                        report.wal(name, op, size, shape, threads, walBytes(subject.databaseFile()));
                    }
                    print(name, op, size, shape, threads, stats);
                }
                first = false;
            }
        }
    }

    /**
     * Brings every subject to the same state before the first measured cell: every subject runs the first operation
     * untimed for the first warm-up, so that the code the subjects share (the driver, Jetty's session classes) is
     * compiled for all of them, and then every subject's database file and log are put on disk (otherwise the kernel
     * writes the base sessions and the warm-up's writes back, 30 seconds later, during whichever cell runs then).
     * Without it the subject that came first paid for both: measured 2026-12-04, new sessions of 16 KiB at one thread
     * ran at 2,730-2,860 ops/s (p50 276-294 µs) for whichever of this store and Jetty's came first, and at 3,785-4,913
     * ops/s when second. Subjects without a database file (the file store, PostgreSQL) are warmed up but not synced.
     *
     * @param order the operations in the order their cells are measured; the first is the one warmed up
     */
    void settle(
            Map<String, Subject> subjects,
            List<Operation> order,
            int size,
            Shape shape,
            Map<String, List<BenchSession>> bases,
            Map<String, ConcurrentLinkedQueue<String>> created,
            AtomicLong sequence)
            throws Exception {
        // A delete would only use up the sessions the delete cells are kept for.
        if (order.isEmpty() || options.threads().isEmpty() || order.get(0) == Operation.DELETE) {
            return;
        }
        Operation first = order.get(0);
        int threads = options.threads().get(0);
        for (Subject subject : subjects.values()) {
            if (!subject.operations().contains(first)) {
                continue;
            }
            String name = subject.name();
            Measure.Op body = body(subject, first, size, shape, threads, bases.get(name), created.get(name), sequence);
            Measure.Stats warmed = Measure.run(threads, options.firstWarmupMs(), 0, body);
            if (warmed.errors() > 0) {
                System.out.printf(
                        "%s: %d errors warming up %s, first: %s%n",
                        name, warmed.errors(), first.label, warmed.firstError());
            }
        }
        for (Subject subject : subjects.values()) {
            if (subject.databaseFile() != null) {
                force(subject.databaseFile());
                force(walOf(subject.databaseFile()));
            }
        }
    }

    private static void force(Path file) throws IOException {
        if (Files.exists(file)) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                channel.force(true);
            }
        }
    }

    private static Path walOf(Path databaseFile) {
        return Path.of(databaseFile + "-wal");
    }

    /** The size of the file's write-ahead log now (0 when there is none). */
    static long walBytes(Path databaseFile) throws IOException {
        Path wal = walOf(databaseFile);
        return Files.exists(wal) ? Files.size(wal) : 0;
    }

    private Path dataDir(String subject) {
        return options.dataDir().resolve(subject.replace('/', '-'));
    }

    /** The sessions that updates, loads and exists work on, stored before any cell runs. */
    static List<BenchSession> base(Subject subject, int size, Shape shape, int count) throws Exception {
        List<BenchSession> base = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BenchSession s = subject.create("base-" + size + "-" + shape.label() + "-" + i, size, shape);
            if (subject.storeNew(s) != 1) {
                throw new IllegalStateException(subject.name() + " did not store " + s.id);
            }
            if (subject instanceof StoreSubject store) {
                store.loadRival(s);
            }
            base.add(s);
        }
        return base;
    }

    static void print(String name, Operation op, int size, Shape shape, int threads, Measure.Stats stats) {
        System.out.printf(
                "%-22s %-32s %6d B %-4s %2d thr: %,10.0f ops/s  p50 %8.1f us  p99 %9.1f us%s%n",
                name,
                op.label,
                size,
                shape.label(),
                threads,
                stats.opsPerSec(),
                stats.p50Us(),
                stats.p99Us(),
                stats.errors() == 0 ? "" : "  ERRORS " + stats.errors() + " first: " + stats.firstError());
    }

    /** Shares the sessions created so far between the delete cells, so no cell finds none left. */
    List<ConcurrentLinkedQueue<String>> split(ConcurrentLinkedQueue<String> created) {
        List<ConcurrentLinkedQueue<String>> parts = new ArrayList<>();
        options.threads().forEach(t -> parts.add(new ConcurrentLinkedQueue<>()));
        int i = 0;
        for (String id; (id = created.poll()) != null; i++) {
            parts.get(i % parts.size()).add(id);
        }
        return parts;
    }

    int maxThreads() {
        return options.threads().stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    /**
     * The body of one cell. Writers of existing sessions give each thread its own slice of the base sessions (one
     * thread mutates a {@code SessionData} at a time, as Jetty guarantees); readers pick base sessions at random;
     * deletes consume the sessions the store-new cells created and stop when none are left.
     */
    static Measure.Op body(
            Subject subject,
            Operation op,
            int size,
            Shape shape,
            int threads,
            List<BenchSession> base,
            ConcurrentLinkedQueue<String> created,
            AtomicLong sequence) {
        int perThread = base.size() / threads;
        int[] cursor = new int[threads];
        return switch (op) {
            case STORE_NEW ->
                (t, measuring) -> {
                    BenchSession s = subject.create(
                            "new-" + size + "-" + shape.label() + "-" + sequence.incrementAndGet(), size, shape);
                    int done = subject.storeNew(s);
                    created.add(s.id);
                    return done;
                };
            case UPDATE -> (t, measuring) -> subject.update(base.get(t + threads * (cursor[t]++ % perThread)));
            case UPDATE_CONFLICT ->
                (t, measuring) -> subject.updateConflicting(base.get(t + threads * (cursor[t]++ % perThread)));
            case TOUCH -> (t, measuring) -> subject.touch(base.get(t + threads * (cursor[t]++ % perThread)));
            case LOAD -> (t, measuring) -> subject.load(random(base));
            case EXISTS -> (t, measuring) -> subject.exists(random(base));
            case DELETE ->
                (t, measuring) -> {
                    if (!measuring) {
                        BenchSession s = subject.create(
                                "warm-" + size + "-" + shape.label() + "-" + sequence.incrementAndGet(), size, shape);
                        subject.storeNew(s);
                        return subject.delete(s.id);
                    }
                    String id = created.poll();
                    return id == null ? Measure.EXHAUSTED : subject.delete(id);
                };
            case BATCH100 -> (t, measuring) -> subject.storeBatch100(size, shape);
            case SELECT_ONLY -> (t, measuring) -> subject.selectOnly(random(base));
        };
    }

    private static BenchSession random(List<BenchSession> base) {
        return base.get(ThreadLocalRandom.current().nextInt(base.size()));
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
