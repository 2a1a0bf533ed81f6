package io.github.jettysqlite.benchmarks;

import static io.github.jettysqlite.benchmarks.Markdown.figures;
import static io.github.jettysqlite.benchmarks.Markdown.row;
import static io.github.jettysqlite.benchmarks.Markdown.sizeHeading;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of {@link PostgreSQLBench}: this store against Jetty's JDBC store on one PostgreSQL server, cell by
 * cell, and their section of the report; or that the section was skipped, which the report says rather than leave the
 * reader to wonder where it went.
 */
final class PostgresResults {
    private static final String OURS = "postgres-store";
    private static final String JETTY = "postgres-jdbc-hikari";

    private final Options options;
    private final Map<OpKey, Measure.Stats> cells = new LinkedHashMap<>();
    private boolean skipped;

    PostgresResults(Options options) {
        this.options = options;
    }

    synchronized void add(OpKey key, Measure.Stats stats) {
        cells.put(key, stats);
    }

    void skipped() {
        skipped = true;
    }

    int count() {
        return cells.size();
    }

    /** A cell that never ran; a failure or wrong answer of this store (Jetty's are its own to report). */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        cells.forEach((k, s) -> {
            boolean ours = k.subject().equals(OURS);
            if (s.ops() == 0 || (ours && (s.wrong() > 0 || s.errors() > 0))) {
                problems.add(
                        "postgres " + k + ": " + s.ops() + " ops, " + s.errors() + " errors, first: " + s.firstError());
            }
        });
        return problems;
    }

    /** Both stores side by side, with the ratio of their throughputs; rows where either did not run are left out. */
    void table(StringBuilder md) {
        if (skipped) {
            md.append("## PostgreSQL\n\nSkipped: no server named (--postgres-url or JSS_POSTGRES_URL).\n\n");
            return;
        }
        if (cells.isEmpty()) {
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
                    Measure.Stats ours = cells.get(new OpKey(OURS, op, size, shape, threads));
                    Measure.Stats jetty = cells.get(new OpKey(JETTY, op, size, shape, threads));
                    if (ours == null || jetty == null) {
                        continue;
                    }
                    row(
                            md,
                            op.label,
                            threads,
                            figures(ours),
                            figures(jetty),
                            String.format(Locale.ROOT, "%.2fx", ours.opsPerSec() / jetty.opsPerSec()));
                }
            }
            md.append('\n');
        }
    }
}
