package io.github.jettysqlite.benchmarks;

import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * The store's expiry queries with 100 expired sessions among N stored, for growing N. The live rows are written
 * straight into the store's table (its documented layout) in large transactions, which is much faster than
 * storing a million sessions one by one; each carries a 1 KiB attribute blob so the table has a realistic size.
 */
final class ExpiryBench {
    static final int EXPIRED = 100;
    private static final int ATTRIBUTE_BYTES = 1024;
    private static final String INSERT = "INSERT INTO jetty_sessions (session_id, context_path, virtual_host,"
            + " last_node, created_ms, accessed_ms, last_accessed_ms, cookie_set_ms, last_saved_ms,"
            + " max_inactive_ms, expires_at, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, zeroblob("
            + ATTRIBUTE_BYTES + "))";

    private final Options options;
    private final Report report;

    ExpiryBench(Options options, Report report) {
        this.options = options;
        this.report = report;
    }

    void run() throws Exception {
        Path dir = Files.createDirectories(options.dataDir().resolve("expiry"));
        Path file = dir.resolve("expiry.db");
        try (StoreSubject subject =
                        new StoreSubject("sqlite-store/NORMAL", Subjects.sqliteStore(file, "NORMAL"), null);
                Connection writer = DriverManager.getConnection(Subjects.url(file, "NORMAL"))) {
            SQLiteSessionDataStore store = (SQLiteSessionDataStore) subject.store();
            int stored = 0;
            for (int n : options.expiryN()) {
                long t0 = System.nanoTime();
                populate(writer, stored, n - EXPIRED);
                stored = n - EXPIRED;
                insertExpired(writer);
                System.out.printf("expiry: populated %,d sessions in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
                Set<String> expiredIds = expiredIds();

                long now = System.currentTimeMillis();
                Set<String>[] last = new Set[1];
                double[] getExpired =
                        Measure.timesMs(2, options.expiryRepeats(), () -> last[0] = store.doGetExpired(now));
                record(n, "doGetExpired(now)", getExpired, last[0], expiredIds);

                double[] checkExpired = Measure.timesMs(
                        2, options.expiryRepeats(), () -> last[0] = store.doCheckExpired(expiredIds, now));
                record(n, "doCheckExpired(100 candidates, now)", checkExpired, last[0], expiredIds);

                double[] clean = new double[options.expiryRepeats()];
                int wrong = 0;
                for (int i = -2; i < clean.length; i++) {
                    insertExpired(writer);
                    long c0 = System.nanoTime();
                    store.doCleanOrphans(now);
                    long c1 = System.nanoTime();
                    if (countExpired(writer) != 0) {
                        wrong++;
                    }
                    if (i >= 0) {
                        clean[i] = (c1 - c0) / 1e6;
                    }
                }
                report.expiry(n, "doCleanOrphans(now), deletes 100", Measure.median(clean), wrong == 0);
                insertExpired(writer); // the next N starts with the same 100 expired sessions
            }
        } finally {
            Bench.deleteRecursively(dir);
        }
    }

    private void record(int n, String query, double[] ms, Set<String> result, Set<String> expected) {
        boolean correct = result != null && result.equals(expected);
        report.expiry(n, query, Measure.median(ms), correct);
        System.out.printf(
                "expiry N=%,9d %-38s median %8.3f ms%s%n",
                n,
                query,
                Measure.median(ms),
                correct ? "" : " WRONG RESULT " + (result == null ? null : result.size()));
    }

    private static Set<String> expiredIds() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < EXPIRED; i++) {
            ids.add("expired-" + i);
        }
        return ids;
    }

    /** Adds live sessions (expiring within the next day) up to {@code target}, 50,000 per transaction. */
    private static void populate(Connection c, int from, int target) throws SQLException {
        long now = System.currentTimeMillis();
        Random random = new Random(from);
        try (PreparedStatement insert = c.prepareStatement(INSERT);
                Statement tx = c.createStatement()) {
            tx.execute("BEGIN IMMEDIATE");
            for (int i = from; i < target; i++) {
                long expiry = now + 3_600_000L + random.nextInt(86_400_000);
                bind(insert, "live-" + i, now, expiry);
                insert.executeUpdate();
                if ((i - from) % 50_000 == 49_999) {
                    tx.execute("COMMIT");
                    tx.execute("BEGIN IMMEDIATE");
                }
            }
            tx.execute("COMMIT");
        }
    }

    /** (Re)creates the 100 expired sessions, last used by this node, expired a minute to two minutes ago. */
    private static void insertExpired(Connection c) throws SQLException {
        long now = System.currentTimeMillis();
        try (PreparedStatement insert = c.prepareStatement(INSERT.replace("INSERT", "INSERT OR REPLACE"));
                Statement tx = c.createStatement()) {
            tx.execute("BEGIN IMMEDIATE");
            for (int i = 0; i < EXPIRED; i++) {
                bind(insert, "expired-" + i, now - 3_600_000L, now - 60_000L - i * 600L);
                insert.executeUpdate();
            }
            tx.execute("COMMIT");
        }
    }

    private static int countExpired(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM jetty_sessions WHERE session_id LIKE 'expired-%'")) {
            r.next();
            return r.getInt(1);
        }
    }

    private static void bind(PreparedStatement s, String id, long created, long expiry) throws SQLException {
        s.setString(1, id);
        s.setString(2, Sessions.CONTEXT_PATH);
        s.setString(3, Sessions.VHOST);
        s.setString(4, Sessions.NODE);
        s.setLong(5, created);
        s.setLong(6, created);
        s.setLong(7, created);
        s.setLong(8, created);
        s.setLong(9, created);
        s.setLong(10, BenchSession.MAX_INACTIVE_MS);
        s.setDouble(11, Sessions.julianDay(expiry));
    }
}
