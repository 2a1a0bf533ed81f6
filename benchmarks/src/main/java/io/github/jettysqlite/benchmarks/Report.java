package io.github.jettysqlite.benchmarks;

import static io.github.jettysqlite.benchmarks.Markdown.count;
import static io.github.jettysqlite.benchmarks.Markdown.ms;
import static io.github.jettysqlite.benchmarks.Markdown.rate;
import static io.github.jettysqlite.benchmarks.Markdown.row;
import static io.github.jettysqlite.benchmarks.Markdown.sizeHeading;
import static io.github.jettysqlite.benchmarks.Markdown.us;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Collects every figure of a run and writes it all as Markdown; the targets are checked in {@link Targets},
 * and the tables' formatting is {@link Markdown}'s.
 */
final class Report {
    record OpKey(String subject, Operation op, int size, Shape shape, int threads) {}

    record Expiry(String subject, int n, String query, double medianMs, boolean correct) {}

    private record Size(String subject, int size, Shape shape, long bytesPer10k) {}

    record Http(String config, LoadClient.Result result, double writesPerRequest) {}

    private record Serde(int size, Shape shape, String what, Measure.Stats stats) {}

    private final Options options;
    private final Map<OpKey, Measure.Stats> operations = new LinkedHashMap<>();
    private final Map<OpKey, Long> walBytes = new LinkedHashMap<>();
    private final Map<OpKey, Measure.Stats> postgres = new LinkedHashMap<>();
    private boolean postgresSkipped;
    private final List<Expiry> expiry = new ArrayList<>();
    private final List<Size> sizes = new ArrayList<>();
    private final List<Http> http = new ArrayList<>();
    private final List<Serde> serde = new ArrayList<>();
    private final TwoNodeResults twoNode;
    private final HeapResults heap = new HeapResults();
    private Instant started;
    private Instant finished;

    Report(Options options) {
        this.options = options;
        this.twoNode = new TwoNodeResults(options.nodes());
    }

    void started(Instant at) {
        started = at;
    }

    void finished(Instant at) {
        finished = at;
    }

    synchronized void operation(String subject, Operation op, int size, Shape shape, int threads, Measure.Stats stats) {
        operations.put(new OpKey(subject, op, size, shape, threads), stats);
    }

    /** The WAL's size right after a write cell. */
    synchronized void wal(String subject, Operation op, int size, Shape shape, int threads, long bytes) {
        walBytes.put(new OpKey(subject, op, size, shape, threads), bytes);
    }

    synchronized void postgres(String subject, Operation op, int size, Shape shape, int threads, Measure.Stats stats) {
        postgres.put(new OpKey(subject, op, size, shape, threads), stats);
    }

    void postgresSkipped() {
        postgresSkipped = true;
    }

    int postgresCount() {
        return postgres.size();
    }

    void expiry(String subject, int n, String query, double medianMs, boolean correct) {
        expiry.add(new Expiry(subject, n, query, medianMs, correct));
    }

    void size(String subject, int size, Shape shape, long bytesPer10k) {
        sizes.add(new Size(subject, size, shape, bytesPer10k));
    }

    void http(String config, LoadClient.Result result, double writesPerRequest) {
        http.add(new Http(config, result, writesPerRequest));
    }

    TwoNodeResults twoNode() {
        return twoNode;
    }

    void heap(String subject, Shape shape, int size, int n, int serializedBytes, double bytesPerSession, int wrong) {
        heap.add(subject, shape, size, n, serializedBytes, bytesPerSession, wrong);
    }

    HeapResults heap() {
        return heap;
    }

    void serde(int size, Shape shape, String what, Measure.Stats stats) {
        serde.add(new Serde(size, shape, what, stats));
    }

    int operationCount() {
        return operations.size();
    }

    /** Everything the smoke run must not see: an operation that never ran, failed or returned wrong data. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        // Jetty's JDBC store may fail under concurrent writes on SQLite (SQLITE_BUSY), and after such a failure it
        // loads the previous version of the session: its behaviour, measured and reported in the tables, and not
        // something this build can fix or should fail on. A connection per thread may likewise wait longer than the
        // busy timeout for SQLite's write lock (its busy handler polls, so a writer can lose to others for the whole
        // timeout): raw-perthread's SQLITE_BUSY is measured too, but a wrong answer of it is a problem. Any failure
        // or wrong answer of this store or of the shared-connection raw ceiling is a problem; every subject must
        // have run every operation.
        operations.forEach((k, s) -> {
            boolean mayBeWrong = k.subject().startsWith("jdbc");
            boolean mayFail = mayBeWrong || k.subject().startsWith("raw-perthread");
            if (s.ops() == 0 || (!mayBeWrong && s.wrong() > 0) || (!mayFail && s.errors() > 0)) {
                problems.add(k + ": " + s.ops() + " ops, " + s.errors() + " errors, first: " + s.firstError());
            }
        });
        postgres.forEach((k, s) -> {
            boolean ours = k.subject().equals("postgres-store");
            if (s.ops() == 0 || (ours && (s.wrong() > 0 || s.errors() > 0))) {
                problems.add(
                        "postgres " + k + ": " + s.ops() + " ops, " + s.errors() + " errors, first: " + s.firstError());
            }
        });
        serde.forEach(s -> {
            if (s.stats().ops() == 0 || s.stats().errors() > 0) {
                problems.add("serde " + s);
            }
        });
        expiry.stream().filter(e -> !e.correct()).forEach(e -> problems.add("expiry wrong result: " + e));
        // Jetty's JDBC store answers some requests from a stale row under a NullSessionCache (see the doc); that is
        // its behaviour to report, not a failure of the run.
        http.stream()
                .filter(h -> h.result().requests() == 0
                        || (h.result().errors() > 0 && !h.config().startsWith("jdbc")))
                .forEach(h -> problems.add("http " + h));
        sizes.stream().filter(s -> s.bytesPer10k() <= 0).forEach(s -> problems.add("size " + s));
        problems.addAll(heap.problems());
        problems.addAll(twoNode.problems());
        return problems;
    }

    Path write() throws IOException {
        Files.createDirectories(options.outDir());
        Path file = options.outDir().resolve("results.md");
        Files.writeString(file, markdown());
        String chart = chart();
        if (chart != null) {
            Files.writeString(options.outDir().resolve(ThroughputChart.FILE), chart);
        }
        return file;
    }

    /**
     * The throughput chart of the first size and shape measured (see {@link ThroughputChart}), or null when the run
     * measured none of its subjects.
     */
    String chart() {
        int size = options.sizes().get(0);
        Shape shape = options.primaryShape();
        List<ThroughputChart.Point> points = new ArrayList<>();
        operations.forEach((k, s) -> {
            if (k.size() == size && k.shape() == shape) {
                points.add(new ThroughputChart.Point(k.subject(), k.op(), k.threads(), s.opsPerSec()));
            }
        });
        return ThroughputChart.svg(points, size, shape, options.threads());
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("## Run\n\n");
        md.append("- started ").append(started).append(", took ");
        md.append(Duration.between(started, finished).toSeconds()).append(" s\n");
        md.append("- Java ")
                .append(System.getProperty("java.version"))
                .append(" (")
                .append(System.getProperty("java.vm.name"))
                .append("), ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" cores, ")
                .append(System.getProperty("os.name"))
                .append(' ')
                .append(System.getProperty("os.arch"))
                .append('\n');
        md.append("- per cell: first warm-up ")
                .append(options.firstWarmupMs())
                .append(" ms, warm-up ")
                .append(options.warmupMs())
                .append(" ms, measured ")
                .append(options.measureMs())
                .append(" ms; ")
                .append(options.baseSessions())
                .append(" base sessions per size and shape; shapes ")
                .append(options.shapes().stream().map(Shape::label).toList())
                .append(options.quick() ? " (QUICK smoke run: figures meaningless)" : "")
                .append("\n\n");
        new Targets(options, operations, expiry, http).write(md, twoNode);
        operationTables(md);
        writeTables(md);
        costTable(md);
        serdeTable(md);
        expiryTable(md);
        sizeTable(md);
        heap.table(md);
        httpTable(md);
        postgresTable(md);
        twoNode.table(md);
        return md.toString();
    }

    // ---- tables

    private void operationTables(StringBuilder md) {
        if (operations.isEmpty()) {
            return;
        }
        md.append("## Operations\n\nops/s, then p50 / p99 latency in microseconds. Errors, if any, in brackets.\n\n");
        perCellTables(md, List.of(Operation.values()), (key, s) -> {
            String cell = rate(s.opsPerSec()) + "<br>" + us(s.p50Us()) + " / " + us(s.p99Us());
            return s.errors() > 0 ? cell + " [" + s.errors() + " errors]" : cell;
        });
        List<String> errors = new ArrayList<>();
        operations.forEach((k, s) -> {
            if (s.errors() > 0) {
                errors.add("- " + k.subject() + " " + k.op().label + " " + k.size() + " B " + k.threads() + " threads: "
                        + s.errors() + " errors, first: " + s.firstError());
            }
        });
        if (!errors.isEmpty()) {
            md.append("Errors:\n\n").append(String.join("\n", errors)).append("\n\n");
        }
    }

    /**
     * One table per attribute size: a row per operation and thread count, a column per subject, each cell rendered
     * from that cell's figures; rows no subject ran are left out.
     */
    private void perCellTables(
            StringBuilder md, Iterable<Operation> ops, BiFunction<OpKey, Measure.Stats, String> render) {
        List<String> subjects =
                operations.keySet().stream().map(OpKey::subject).distinct().toList();
        for (int size : options.sizes()) {
            for (Shape shape : options.shapes()) {
                sizeHeading(md, size, shape);
                md.append("| operation | threads |");
                subjects.forEach(s -> md.append(' ').append(s).append(" |"));
                md.append("\n|---|---:|");
                subjects.forEach(s -> md.append("---:|"));
                md.append('\n');
                for (Operation op : ops) {
                    for (int threads : options.threads()) {
                        md.append(subjectsRow(subjects, new OpKey(null, op, size, shape, threads), render));
                    }
                }
                md.append('\n');
            }
        }
    }

    /** One table row: the cell of each subject for the key's operation, size, shape and threads; "" if none ran. */
    private String subjectsRow(List<String> subjects, OpKey cell, BiFunction<OpKey, Measure.Stats, String> render) {
        StringBuilder line = new StringBuilder("| " + cell.op().label + " | " + cell.threads() + " |");
        boolean any = false;
        for (String subject : subjects) {
            OpKey key = new OpKey(subject, cell.op(), cell.size(), cell.shape(), cell.threads());
            Measure.Stats s = operations.get(key);
            any |= s != null;
            line.append(' ').append(s == null ? "" : render.apply(key, s)).append(" |");
        }
        return any ? line.append('\n').toString() : "";
    }

    /**
     * For every write cell: what the subject handed to the file system per operation (WAL frames, checkpoint copies,
     * files of the file store), and, for SQLite subjects, how large the WAL was when the cell ended.
     */
    private void writeTables(StringBuilder md) {
        if (operations.values().stream().allMatch(s -> Double.isNaN(s.bytesPerOp()))) {
            return;
        }
        md.append("## What each write costs the disk\n\n");
        md.append("KiB handed to the file system per operation while measuring (Linux `wchar`: WAL frames of 4 KiB"
                + " plus 24 bytes each, checkpoint copies, the file store's files), then the WAL's size in MiB when"
                + " the cell ended.\n\n");
        perCellTables(md, Operation.WRITES, (key, s) -> {
            String cell = String.format(Locale.ROOT, "%.1f", s.bytesPerOp() / 1024);
            Long wal = walBytes.get(key);
            return wal == null ? cell : cell + String.format(Locale.ROOT, "<br>WAL %.1f", wal / (1024.0 * 1024));
        });
        long largest = walBytes.entrySet().stream()
                .filter(e -> e.getKey().subject().startsWith("sqlite-store"))
                .mapToLong(Map.Entry::getValue)
                .max()
                .orElse(-1);
        if (largest >= 0) {
            md.append(String.format(
                    Locale.ROOT,
                    "Largest WAL this store left after a write cell: %.1f MiB.%n%n",
                    largest / (1024.0 * 1024)));
        }
    }

    /**
     * What each of the store's safeguards costs a single-threaded caller: the median latency of the operation with
     * it minus the median without, from cells of this run. A blank cell: one side was not measured.
     */
    private void costTable(StringBuilder md) {
        String plain = "sqlite-store/NORMAL";
        List<String[]> rows = List.of(
                new String[] {
                    "merge on conflict: update, other copy wrote since", "UPDATE_CONFLICT", plain, "UPDATE", plain
                },
                new String[] {
                    "in-place change detection: update", "UPDATE", plain, "UPDATE", "sqlite-store-setattr/NORMAL"
                },
                new String[] {
                    "in-place change detection: metadata-only update",
                    "TOUCH",
                    plain,
                    "TOUCH",
                    "sqlite-store-setattr/NORMAL"
                },
                new String[] {"sealing: store new", "STORE_NEW", "sqlite-store-sealed/NORMAL", "STORE_NEW", plain},
                new String[] {"sealing: update", "UPDATE", "sqlite-store-sealed/NORMAL", "UPDATE", plain},
                new String[] {"sealing: load", "LOAD", "sqlite-store-sealed/NORMAL", "LOAD", plain});
        StringBuilder table = new StringBuilder();
        boolean any = false;
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("| " + row[0] + " |");
            for (int size : options.sizes()) {
                Shape shape = options.primaryShape();
                Measure.Stats with = operations.get(new OpKey(row[2], Operation.valueOf(row[1]), size, shape, 1));
                Measure.Stats without = operations.get(new OpKey(row[4], Operation.valueOf(row[3]), size, shape, 1));
                if (with == null || without == null) {
                    line.append(" |");
                    continue;
                }
                any = true;
                line.append(String.format(
                        Locale.ROOT,
                        " %+.1f us (%.1f vs %.1f; %.2fx throughput) |",
                        with.p50Us() - without.p50Us(),
                        with.p50Us(),
                        without.p50Us(),
                        with.opsPerSec() / without.opsPerSec()));
            }
            table.append(line).append('\n');
        }
        if (!any) {
            return;
        }
        md.append("## What the safeguards cost\n\n");
        md.append("1 thread, `synchronous=NORMAL`, shape `")
                .append(options.primaryShape().label())
                .append("`: p50 with it minus p50 without, in microseconds per call.\n\n");
        md.append("| safeguard |");
        options.sizes().forEach(size -> md.append(' ').append(size / 1024).append(" KiB |"));
        md.append("\n|---|");
        options.sizes().forEach(size -> md.append("---:|"));
        md.append('\n').append(table).append('\n');
    }

    /** This store against Jetty's JDBC store on one PostgreSQL server, with the ratio of their throughputs. */
    private void postgresTable(StringBuilder md) {
        if (postgresSkipped) {
            md.append("## PostgreSQL\n\nSkipped: no server named (--postgres-url or JSS_POSTGRES_URL).\n\n");
            return;
        }
        if (postgres.isEmpty()) {
            return;
        }
        md.append("## PostgreSQL\n\nThis store and Jetty's JDBCSessionDataStore on the same PostgreSQL server, each"
                + " with a HikariCP pool of " + Subjects.HIKARI_POOL_SIZE + " connections. ops/s, then p50 / p99"
                + " latency in microseconds; the ratio is ours over Jetty's throughput.\n\n");
        for (int size : options.sizes()) {
            sizeHeading(md, size, options.primaryShape());
            md.append("| operation | threads | postgres-store | postgres-jdbc-hikari | ratio |\n");
            md.append("|---|---:|---:|---:|---:|\n");
            for (Operation op : Operation.STORE_OPERATIONS) {
                for (int threads : options.threads()) {
                    Shape shape = options.primaryShape();
                    Measure.Stats ours = postgres.get(new OpKey("postgres-store", op, size, shape, threads));
                    Measure.Stats jetty = postgres.get(new OpKey("postgres-jdbc-hikari", op, size, shape, threads));
                    if (ours == null || jetty == null) {
                        continue;
                    }
                    row(
                            md,
                            op.label,
                            threads,
                            cell(ours),
                            cell(jetty),
                            String.format(Locale.ROOT, "%.2fx", ours.opsPerSec() / jetty.opsPerSec()));
                }
            }
            md.append('\n');
        }
    }

    private static String cell(Measure.Stats s) {
        return rate(s.opsPerSec()) + "<br>" + us(s.p50Us()) + " / " + us(s.p99Us())
                + (s.errors() > 0 ? " [" + s.errors() + " errors]" : "");
    }

    private void serdeTable(StringBuilder md) {
        if (serde.isEmpty()) {
            return;
        }
        md.append("## Jetty attribute serialization alone (1 thread)\n\n")
                .append("| attributes | shape | operation | p50 µs | ops/s |\n")
                .append("|---:|---|---|---:|---:|\n");
        for (Serde s : serde) {
            row(
                    md,
                    s.size() + " B",
                    s.shape().label(),
                    s.what(),
                    us(s.stats().p50Us()),
                    rate(s.stats().opsPerSec()));
        }
        md.append('\n');
    }

    private void expiryTable(StringBuilder md) {
        if (expiry.isEmpty()) {
            return;
        }
        md.append("## Expiry calls, N sessions, every expired one last used by this node (median ms)\n\n");
        md.append("| call | store |");
        options.expiryN().forEach(n -> md.append(" N=").append(count(n)).append(" |"));
        md.append("\n|---|---|");
        options.expiryN().forEach(n -> md.append("---:|"));
        md.append('\n');
        expiry.stream()
                .map(Expiry::query)
                .distinct()
                .forEach(q -> expiry.stream().map(Expiry::subject).distinct().forEach(subject -> {
                    md.append("| ").append(q).append(" | ").append(subject).append(" |");
                    for (int n : options.expiryN()) {
                        expiry.stream()
                                .filter(e -> e.n() == n
                                        && e.query().equals(q)
                                        && e.subject().equals(subject))
                                .findFirst()
                                .ifPresentOrElse(
                                        e -> md.append(' ')
                                                .append(ms(e.medianMs()))
                                                .append(e.correct() ? "" : " WRONG")
                                                .append(" |"),
                                        () -> md.append(" |"));
                    }
                    md.append('\n');
                }));
        md.append('\n');
    }

    private void sizeTable(StringBuilder md) {
        if (sizes.isEmpty()) {
            return;
        }
        md.append("## Disk space per 10,000 sessions (after the store stopped)\n\n")
                .append("| store | attributes | shape | MiB |\n")
                .append("|---|---:|---|---:|\n");
        for (Size s : sizes) {
            row(
                    md,
                    s.subject(),
                    s.size() + " B",
                    s.shape().label(),
                    String.format(Locale.ROOT, "%.1f", s.bytesPer10k() / 1048576.0));
        }
        md.append('\n');
    }

    private void httpTable(StringBuilder md) {
        if (http.isEmpty()) {
            return;
        }
        md.append("## HTTP end to end (")
                .append(options.httpUsers())
                .append(" users, keep-alive, client in its own JVM)\n\n")
                .append("| server | req/s | p50 µs | p99 µs | failed or wrong answers | store calls per request |\n")
                .append("|---|---:|---:|---:|---:|---:|\n");
        for (Http h : http) {
            row(
                    md,
                    h.config(),
                    rate(h.result().requestsPerSec()),
                    us(h.result().p50Us()),
                    us(h.result().p99Us()),
                    h.result().errors(),
                    Double.isNaN(h.writesPerRequest()) ? "" : String.format(Locale.ROOT, "%.2f", h.writesPerRequest()));
        }
        md.append('\n');
    }
}
