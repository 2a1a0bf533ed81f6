package io.github.jettysqlite.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * Where the time of a sweep of expired sessions goes, on a raw connection: one {@code DELETE} of every expired row
 * (what Jetty's JDBC store runs) against the store's batches of {@value #BATCH} rows, each its own transaction, on a
 * file with and without incremental auto-vacuum, and the incremental vacuum step after it. {@value #ROWS} rows of
 * 1 KiB with an expiry index, {@value #EXPIRED} of them expired before each repetition; median of {@value #REPEATS}.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.github.jettysqlite.benchmarks.SweepCostProbe}
 */
public final class SweepCostProbe {
    private static final int ROWS = 100_000;
    private static final int EXPIRED = 1_000;
    private static final int BATCH = 500;
    private static final int REPEATS = 21;

    private SweepCostProbe() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("sweep-cost");
        for (String autoVacuum : List.of("NONE", "INCREMENTAL")) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(autoVacuum + ".db"))) {
                fill(c, autoVacuum);
                for (String sweep : List.of("one DELETE", "batches", "batches + incremental_vacuum")) {
                    if (!sweep.endsWith("vacuum") || autoVacuum.equals("INCREMENTAL")) {
                        System.out.printf(
                                "auto_vacuum=%-11s %-28s median %6.2f ms%n", autoVacuum, sweep, median(c, sweep));
                    }
                }
            }
        }
    }

    private static void fill(Connection c, String autoVacuum) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("PRAGMA auto_vacuum = " + autoVacuum);
            s.executeUpdate("PRAGMA journal_mode = WAL");
            s.executeUpdate("PRAGMA synchronous = NORMAL");
            s.executeUpdate("CREATE TABLE t (id TEXT PRIMARY KEY, expires_at REAL, attributes BLOB)");
            s.executeUpdate("CREATE INDEX t_expiry ON t (expires_at) WHERE expires_at IS NOT NULL");
            s.executeUpdate("BEGIN");
            s.executeUpdate(rows("live", ROWS, 1e9));
            s.executeUpdate("COMMIT");
        }
    }

    private static double median(Connection c, String sweep) throws SQLException {
        double[] ms = new double[REPEATS];
        for (int r = 0; r < REPEATS; r++) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("BEGIN");
                s.executeUpdate(rows("expired" + r, EXPIRED, 1.0));
                s.executeUpdate("COMMIT");
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            long start = System.nanoTime();
            sweep(c, sweep);
            ms[r] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        return ms[REPEATS / 2];
    }

    private static void sweep(Connection c, String sweep) throws SQLException {
        if (sweep.equals("one DELETE")) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM t WHERE expires_at <= 2.0");
            }
            return;
        }
        try (Statement s = c.createStatement();
                PreparedStatement batch = c.prepareStatement("DELETE FROM t WHERE rowid IN"
                        + " (SELECT rowid FROM t INDEXED BY t_expiry WHERE expires_at <= 2.0 LIMIT " + BATCH + ")")) {
            int deleted;
            do {
                s.executeUpdate("BEGIN IMMEDIATE");
                deleted = batch.executeUpdate();
                s.executeUpdate("COMMIT");
            } while (deleted == BATCH);
            if (sweep.endsWith("vacuum")) {
                s.executeUpdate("PRAGMA incremental_vacuum");
            }
        }
    }

    private static String rows(String prefix, int count, double expiresAt) {
        return "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + count + ")"
                + " INSERT INTO t SELECT '" + prefix + "-' || i, " + expiresAt + ", zeroblob(1024) FROM n";
    }
}
