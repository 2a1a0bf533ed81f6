package io.github.jettysqlite.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sqlite.core.CoreResultSet;

/**
 * What sqlite-jdbc's fetch of a query's column names costs each run: a primary-key read of a session-shaped row of
 * 1 KiB, run again and again on one connection, with {@code executeQuery} (which asks SQLite for every column name
 * at every run) and as the store's {@code SQLiteQueries} runs it (the first run's names handed back to the driver),
 * for as many columns as the store's reads return (exists 1, probe 7, probeOrLoad 10, load 11) and 14. The two ways
 * take turns; median µs per read of {@value #ROUNDS} rounds after {@value #WARM_UP} rounds not counted.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.github.jettysqlite.benchmarks.ColumnNamesProbe}
 */
public final class ColumnNamesProbe {
    private static final int ROWS = 1_000;
    private static final int READS = 100_000;
    private static final int WARM_UP = 3;
    private static final int ROUNDS = 7;
    private static final String[] COLUMNS = {
        "sealed_id", "last_node", "created_ms", "accessed_ms", "last_accessed_ms", "cookie_set_ms", "last_saved_ms",
        "max_inactive_ms", "expires_at", "attributes_version", "attributes", "principal", "session_id", "context_path"
    };

    private ColumnNamesProbe() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("column-names");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("probe.db"))) {
            fill(c);
            System.out.printf("%-8s %16s %16s %8s%n", "columns", "executeQuery µs", "names kept µs", "ratio");
            for (int columns : new int[] {1, 7, 10, 11, 14}) {
                String sql = "SELECT " + String.join(", ", Arrays.copyOf(COLUMNS, columns))
                        + " FROM t WHERE context_path = ? AND virtual_host = ? AND session_id = ?";
                try (PreparedStatement plain = c.prepareStatement(sql);
                        PreparedStatement kept = c.prepareStatement(sql)) {
                    List<Double> plainUs = new ArrayList<>();
                    List<Double> keptUs = new ArrayList<>();
                    KeptNames names = new KeptNames();
                    for (int round = 0; round < WARM_UP + ROUNDS; round++) {
                        double p = microsPerRead(plain, PreparedStatement::executeQuery);
                        double k = microsPerRead(kept, names::run);
                        if (round >= WARM_UP) {
                            plainUs.add(p);
                            keptUs.add(k);
                        }
                    }
                    double p = median(plainUs);
                    double k = median(keptUs);
                    System.out.printf("%-8d %16.2f %16.2f %7.2fx%n", columns, p, k, p / k);
                }
            }
        } finally {
            Bench.deleteRecursively(dir);
        }
    }

    /** Runs a query. */
    @FunctionalInterface
    private interface Run {
        ResultSet run(PreparedStatement query) throws SQLException;
    }

    /** The store's way, for one statement: the first run's names handed back before the driver asks again. */
    private static final class KeptNames {
        private CoreResultSet results;
        private String[] names;

        ResultSet run(PreparedStatement query) throws SQLException {
            if (results == null) {
                ResultSet first = query.executeQuery();
                results = (CoreResultSet) first;
                names = results.colsMeta;
                return first;
            }
            query.execute();
            results.colsMeta = names;
            return query.getResultSet();
        }
    }

    private static double microsPerRead(PreparedStatement query, Run run) throws SQLException {
        long sink = 0;
        long start = System.nanoTime();
        for (int i = 0; i < READS; i++) {
            query.setString(1, "/app");
            query.setString(2, "0.0.0.0");
            query.setString(3, "s" + (i % ROWS));
            try (ResultSet row = run.run(query)) {
                if (row.next()) {
                    sink += row.getString(1) == null ? 1 : 2;
                }
            }
        }
        double micros = (System.nanoTime() - start) / 1_000.0 / READS;
        if (sink != READS) {
            throw new IllegalStateException("a read found no row");
        }
        return micros;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static void fill(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("CREATE TABLE t (session_id TEXT NOT NULL, context_path TEXT NOT NULL, virtual_host TEXT NOT"
                    + " NULL, last_node TEXT, created_ms INTEGER, accessed_ms INTEGER, last_accessed_ms INTEGER,"
                    + " cookie_set_ms INTEGER, last_saved_ms INTEGER, max_inactive_ms INTEGER, expires_at REAL,"
                    + " attributes_version INTEGER, attributes BLOB, principal TEXT, sealed_id TEXT,"
                    + " PRIMARY KEY (context_path, virtual_host, session_id))");
            s.execute("BEGIN");
            for (int i = 0; i < ROWS; i++) {
                s.execute("INSERT INTO t VALUES ('s" + i + "', '/app', '0.0.0.0', 'node0', 1, 2, 3, 4, 5, 1800000,"
                        + " 2461000.5, 7, randomblob(1000), NULL, NULL)");
            }
            s.execute("COMMIT");
        }
    }
}
