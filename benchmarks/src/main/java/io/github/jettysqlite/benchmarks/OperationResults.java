package io.github.jettysqlite.benchmarks;

import static io.github.jettysqlite.benchmarks.Markdown.figures;
import static io.github.jettysqlite.benchmarks.Markdown.sizeHeading;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The figures of the operations section ({@link Bench}): each cell's statistics and, for write cells, the WAL's size
 * when the cell ended; and the two sections written from them, the operations and what each write costs the disk.
 */
final class OperationResults {
    private final Options options;
    private final Map<OpKey, Measure.Stats> operations = new LinkedHashMap<>();
    private final Map<OpKey, Long> walBytes = new LinkedHashMap<>();

    OperationResults(Options options) {
        this.options = options;
    }

    synchronized void add(OpKey key, Measure.Stats stats) {
        operations.put(key, stats);
    }

    synchronized void wal(OpKey key, long bytes) {
        walBytes.put(key, bytes);
    }

    int count() {
        return operations.size();
    }

    /** Every cell in the order it ran, for the sections that compare cells (targets, the safeguards' cost). */
    Map<OpKey, Measure.Stats> all() {
        return Collections.unmodifiableMap(operations);
    }

    /**
     * A cell that never ran, or that failed or returned wrong data where the subject must not. Jetty's JDBC store may
     * fail under concurrent writes on SQLite (SQLITE_BUSY), and after such a failure it loads the previous version of
     * the session: its behaviour, measured and reported in the tables, and not something this build can fix or should
     * fail on. A connection per thread may likewise wait longer than the busy timeout for SQLite's write lock (its
     * busy handler polls, so a writer can lose to others for the whole timeout): raw-perthread's SQLITE_BUSY is
     * measured too, but a wrong answer of it is a problem. Any failure or wrong answer of this store or of the
     * shared-connection raw ceiling is a problem.
     */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        operations.forEach((k, s) -> {
            boolean mayBeWrong = k.subject().startsWith("jdbc");
            boolean mayFail = mayBeWrong || k.subject().startsWith("raw-perthread");
            if (s.ops() == 0 || (!mayBeWrong && s.wrong() > 0) || (!mayFail && s.errors() > 0)) {
                problems.add(k + ": " + s.ops() + " ops, " + s.errors() + " errors, first: " + s.firstError());
            }
        });
        return problems;
    }

    /** The throughput of every cell of one attribute size and shape, the points of {@link ThroughputChart}. */
    List<ThroughputChart.Point> chartPoints(int size, Shape shape) {
        List<ThroughputChart.Point> points = new ArrayList<>();
        operations.forEach((k, s) -> {
            if (k.size() == size && k.shape() == shape) {
                points.add(new ThroughputChart.Point(k.subject(), k.op(), k.threads(), s.opsPerSec()));
            }
        });
        return points;
    }

    void operationTables(StringBuilder md) {
        if (operations.isEmpty()) {
            return;
        }
        md.append("## Operations\n\nops/s, then p50 / p99 latency in microseconds. Errors, if any, in brackets.\n\n");
        perCellTables(md, List.of(Operation.values()), (key, s) -> figures(s));
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
     * For every write cell: what the subject handed to the file system per operation (WAL frames, checkpoint copies,
     * files of the file store), and, for SQLite subjects, how large the WAL was when the cell ended.
     */
    void writeTables(StringBuilder md) {
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
}
