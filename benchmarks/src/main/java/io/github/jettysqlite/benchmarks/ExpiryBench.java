package io.github.jettysqlite.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.eclipse.jetty.session.AbstractSessionDataStore;

/**
 * The expiry calls a session cache's scavenger makes ({@code doCheckExpired} with the sessions it believes expired
 * as candidates, {@code doGetExpired}, {@code doCleanOrphans}), on this store and on Jetty's JDBC store with a pool,
 * each on a file of its own holding N sessions, for growing N: once with 100 of them expired (the cost must not grow
 * with N) and once with 1% expired. Every expired session was last used by this node.
 *
 * <p>Rows are written straight into each store's table (its documented layout) in large transactions, which is much
 * faster than storing a million sessions one by one; each carries a 1 KiB attribute blob so the tables have a
 * realistic size.
 */
final class ExpiryBench {
    static final int FIXED_EXPIRED = 100;
    static final String OURS = "sqlite-store/NORMAL";
    static final String JETTY = "jdbc-hikari/NORMAL";
    private static final int ATTRIBUTE_BYTES = 1024;

    /** How one store lays out a session row, enough to fill its table and count what expired. */
    private record Layout(String insert, String countExpired, boolean julianDay) {}

    private static final Layout OUR_LAYOUT = new Layout(
            "INSERT OR REPLACE INTO jetty_sessions (session_id, context_path, virtual_host, last_node, created_ms,"
                    + " accessed_ms, last_accessed_ms, cookie_set_ms, last_saved_ms, max_inactive_ms, expires_at,"
                    + " attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, zeroblob(" + ATTRIBUTE_BYTES + "))",
            "SELECT count(*) FROM jetty_sessions WHERE session_id LIKE 'expired-%'",
            true);

    private static final Layout JETTY_LAYOUT = new Layout(
            "INSERT OR REPLACE INTO JettySessions (sessionId, contextPath, virtualHost, lastNode, createTime,"
                    + " accessTime, lastAccessTime, cookieTime, lastSavedTime, maxInterval, expiryTime, map)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, zeroblob(" + ATTRIBUTE_BYTES + "))",
            "SELECT count(*) FROM JettySessions WHERE sessionId LIKE 'expired-%'",
            false);

    private final Options options;
    private final Report report;

    ExpiryBench(Options options, Report report) {
        this.options = options;
        this.report = report;
    }

    void run() throws Exception {
        Path dir = Files.createDirectories(options.dataDir().resolve("expiry"));
        try {
            Path ours = dir.resolve("ours.db");
            try (StoreSubject subject = new StoreSubject(OURS, Subjects.sqliteStore(ours, "NORMAL"), null)) {
                series(subject.store(), OURS, ours, OUR_LAYOUT);
            }
            Path jetty = dir.resolve("jetty.db");
            HikariDataSource pool = Subjects.hikari(jetty, "NORMAL", Subjects.HIKARI_POOL_SIZE);
            try (StoreSubject subject = new StoreSubject(JETTY, Subjects.jdbc(pool), pool)) {
                series(subject.store(), JETTY, jetty, JETTY_LAYOUT);
            }
        } finally {
            Bench.deleteRecursively(dir);
        }
    }

    private void series(AbstractSessionDataStore store, String name, Path file, Layout layout) throws Exception {
        try (Connection writer = DriverManager.getConnection(Subjects.url(file, "NORMAL"))) {
            int live = 0;
            for (int n : options.expiryN()) {
                long t0 = System.nanoTime();
                int onePercent = Math.max(1, n / 100);
                populate(writer, layout, live, n - onePercent);
                live = n - onePercent;
                System.out.printf(
                        "expiry %s: populated %,d sessions in %.1f s%n", name, live, (System.nanoTime() - t0) / 1e9);
                for (int expired : List.of(FIXED_EXPIRED, onePercent)) {
                    measure(store, name, writer, layout, n, expired);
                }
            }
        }
    }

    private void measure(
            AbstractSessionDataStore store, String name, Connection writer, Layout layout, int n, int count)
            throws Exception {
        deleteExpired(writer, layout);
        insertExpired(writer, layout, count);
        Set<String> expiredIds = expiredIds(count);
        long now = System.currentTimeMillis();
        String of = count == FIXED_EXPIRED ? count + " expired" : "1% expired";
        Set<String>[] last = new Set[1];
        double[] getExpired = Measure.timesMs(2, options.expiryRepeats(), () -> last[0] = store.doGetExpired(now));
        record(name, n, "doGetExpired, " + of, getExpired, last[0], expiredIds);
        double[] checkExpired =
                Measure.timesMs(2, options.expiryRepeats(), () -> last[0] = store.doCheckExpired(expiredIds, now));
        record(name, n, "doCheckExpired(candidates), " + of, checkExpired, last[0], expiredIds);

        double[] clean = new double[options.expiryRepeats()];
        int wrong = 0;
        for (int i = -2; i < clean.length; i++) {
            insertExpired(writer, layout, count);
            long c0 = System.nanoTime();
            store.doCleanOrphans(now);
            long c1 = System.nanoTime();
            if (countExpired(writer, layout) != 0) {
                wrong++;
            }
            if (i >= 0) {
                clean[i] = (c1 - c0) / 1e6;
            }
        }
        report.expiry(name, n, "doCleanOrphans, " + of, Measure.median(clean), wrong == 0);
    }

    private void record(String name, int n, String query, double[] ms, Set<String> result, Set<String> expected) {
        boolean correct = result != null && result.equals(expected);
        report.expiry(name, n, query, Measure.median(ms), correct);
        System.out.printf(
                "expiry %-20s N=%,9d %-36s median %8.3f ms%s%n",
                name,
                n,
                query,
                Measure.median(ms),
                correct ? "" : " WRONG RESULT " + (result == null ? null : result.size()));
    }

    private static Set<String> expiredIds(int count) {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < count; i++) {
            ids.add("expired-" + i);
        }
        return ids;
    }

    /** Adds live sessions (expiring within the next day) up to {@code target}, 50,000 per transaction. */
    private static void populate(Connection c, Layout layout, int from, int target) throws SQLException {
        long now = System.currentTimeMillis();
        Random random = new Random(from);
        try (PreparedStatement insert = c.prepareStatement(layout.insert());
                Statement tx = c.createStatement()) {
            tx.execute("BEGIN IMMEDIATE");
            for (int i = from; i < target; i++) {
                long expiry = now + 3_600_000L + random.nextInt(86_400_000);
                bind(insert, layout, "live-" + i, now, expiry);
                insert.executeUpdate();
                if ((i - from) % 50_000 == 49_999) {
                    tx.execute("COMMIT");
                    tx.execute("BEGIN IMMEDIATE");
                }
            }
            tx.execute("COMMIT");
        }
    }

    /** (Re)creates {@code count} expired sessions, last used by this node, expired one to a few minutes ago. */
    private static void insertExpired(Connection c, Layout layout, int count) throws SQLException {
        long now = System.currentTimeMillis();
        try (PreparedStatement insert = c.prepareStatement(layout.insert());
                Statement tx = c.createStatement()) {
            tx.execute("BEGIN IMMEDIATE");
            for (int i = 0; i < count; i++) {
                bind(insert, layout, "expired-" + i, now - 3_600_000L, now - 60_000L - i % 1000 * 60L);
                insert.executeUpdate();
            }
            tx.execute("COMMIT");
        }
    }

    private static void deleteExpired(Connection c, Layout layout) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate(layout.countExpired().replace("SELECT count(*) FROM", "DELETE FROM"));
        }
    }

    private static int countExpired(Connection c, Layout layout) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery(layout.countExpired())) {
            r.next();
            return r.getInt(1);
        }
    }

    private static void bind(PreparedStatement s, Layout layout, String id, long created, long expiry)
            throws SQLException {
        s.setString(1, id);
        s.setString(2, Sessions.CONTEXT_PATH);
        s.setString(3, Sessions.VHOST);
        s.setString(4, Sessions.NODE);
        for (int column = 5; column <= 9; column++) {
            s.setLong(column, created);
        }
        s.setLong(10, BenchSession.MAX_INACTIVE_MS);
        if (layout.julianDay()) {
            s.setDouble(11, Sessions.julianDay(expiry));
        } else {
            s.setLong(11, expiry);
        }
    }
}
