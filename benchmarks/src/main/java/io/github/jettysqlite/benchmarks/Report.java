package io.github.jettysqlite.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects every figure of a run and writes it all as Markdown. Each section's figures and table are a class of
 * their own ({@link OperationResults}, {@link ExpiryResults}, ...), the targets are checked in
 * {@link Targets}, and the tables' formatting is {@link Markdown}'s; this class hands each figure to its section and
 * puts the sections in order.
 */
final class Report {
    private final Options options;
    private final OperationResults operations;
    private final PostgresResults postgres;
    private final ExpiryResults expiry;
    private final SizeResults sizes = new SizeResults();
    private final HttpResults http;
    private final SerdeResults serde = new SerdeResults();
    private final TwoNodeResults twoNode;
    private final HeapResults heap = new HeapResults();
    private Instant started;
    private Instant finished;

    Report(Options options) {
        this.options = options;
        this.operations = new OperationResults(options);
        this.postgres = new PostgresResults(options);
        this.expiry = new ExpiryResults(options);
        this.http = new HttpResults(options);
        this.twoNode = new TwoNodeResults(options.nodes());
    }

    void started(Instant at) {
        started = at;
    }

    void finished(Instant at) {
        finished = at;
    }

    void operation(String subject, Operation op, int size, Shape shape, int threads, Measure.Stats stats) {
        operations.add(new OpKey(subject, op, size, shape, threads), stats);
    }

    /** The WAL's size right after a write cell. */
    void wal(String subject, Operation op, int size, Shape shape, int threads, long bytes) {
        operations.wal(new OpKey(subject, op, size, shape, threads), bytes);
    }

    void postgres(String subject, Operation op, int size, Shape shape, int threads, Measure.Stats stats) {
        postgres.add(new OpKey(subject, op, size, shape, threads), stats);
    }

    void postgresSkipped() {
        postgres.skipped();
    }

    int postgresCount() {
        return postgres.count();
    }

    void expiry(String subject, int n, String query, double medianMs, boolean correct) {
        expiry.add(subject, n, query, medianMs, correct);
    }

    void size(String subject, int size, Shape shape, long bytesPer10k) {
        sizes.add(subject, size, shape, bytesPer10k);
    }

    void http(String config, LoadClient.Result result, double writesPerRequest) {
        http.add(config, result, writesPerRequest);
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
        serde.add(size, shape, what, stats);
    }

    int operationCount() {
        return operations.count();
    }

    /**
     * Everything the smoke run must not see: an operation that never ran, failed or returned wrong data. Each section
     * says which of its subjects may fail or answer wrongly (Jetty's stores, by their design) without it being one.
     */
    List<String> problems() {
        List<String> problems = new ArrayList<>(operations.problems());
        problems.addAll(postgres.problems());
        problems.addAll(serde.problems());
        problems.addAll(expiry.problems());
        problems.addAll(http.problems());
        problems.addAll(sizes.problems());
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
        return ThroughputChart.svg(operations.chartPoints(size, shape), size, shape, options.threads());
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        run(md);
        new Targets(options, operations.all(), expiry.all(), http.all()).write(md, twoNode);
        operations.operationTables(md);
        operations.writeTables(md);
        new SafeguardCosts(options, operations.all()).write(md);
        serde.table(md);
        expiry.table(md);
        sizes.table(md);
        heap.table(md);
        http.table(md);
        postgres.table(md);
        twoNode.table(md);
        return md.toString();
    }

    /** The "Run" section: when, on what and with which settings, without which no figure below can be compared. */
    private void run(StringBuilder md) {
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
    }
}
