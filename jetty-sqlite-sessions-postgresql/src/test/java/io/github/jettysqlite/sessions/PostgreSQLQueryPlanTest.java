package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.internal.JulianDay;
import io.github.jettysqlite.sessions.internal.table.SessionStatements;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.postgresql.internal.PostgreSQLDialect;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL's plans for the exact statements that find and delete expired sessions, on a table of 50,000
 * sessions of which 40 have expired: each must read the partial expiry index, and none may scan the table.
 * PostgreSQL has no index hints, so unlike on SQLite this rests on its planner, and this test is what says so.
 */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLQueryPlanTest {
    private static final int SESSIONS = 50_000;
    private static final int EXPIRED = 40;

    @TempDir
    Path dir;

    private PostgreSQLFixture fixture;
    private SessionStatements table;
    private double now;

    @BeforeEach
    void start() throws Exception {
        fixture = new PostgreSQLFixture();
        fixture.store();
        table = new SessionStatements(new SessionTable(SessionTable.DEFAULT_NAME, PostgreSQLDialect.INSTANCE));
        now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        try (Connection c = fixture.connect();
                PreparedStatement fill = c.prepareStatement("INSERT INTO jetty_sessions (session_id, context_path,"
                        + " virtual_host, last_node, created_ms, accessed_ms, last_accessed_ms, cookie_set_ms,"
                        + " last_saved_ms, max_inactive_ms, expires_at, attributes)"
                        + " SELECT 's' || n, '/app', '0.0.0.0', 'node1', 0, 0, 0, 0, 0, 1800000,"
                        + " CASE WHEN n <= ? THEN ? - 1 WHEN n % 5 = 0 THEN NULL ELSE ? + n / 86400.0 END,"
                        + " CAST('\\x00' AS bytea) FROM generate_series(1, ?) AS n")) {
            fill.setInt(1, EXPIRED);
            fill.setDouble(2, now);
            fill.setDouble(3, now);
            fill.setInt(4, SESSIONS);
            fill.executeUpdate();
            try (Statement analyze = c.createStatement()) {
                analyze.execute("ANALYZE jetty_sessions");
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void getExpiredReadsTheExpiryIndex() throws Exception {
        assertReadsExpiryIndex(table.expiry().expiredInContextSql(), now, "/app", "0.0.0.0");
    }

    @Test
    void ownExpiredPartOfCheckExpiredReadsTheExpiryIndex() throws Exception {
        assertReadsExpiryIndex(table.expiry().expiredOwnedBySql(), now, "/app", "0.0.0.0", "node1");
    }

    @Test
    void cleanOrphansReadsTheExpiryIndex() throws Exception {
        assertReadsExpiryIndex(table.expiry().deleteExpiredBatchSql(), now, 500);
    }

    @Test
    void aFunctionAroundTheColumnWouldScanWhichIsWhatThisTestCatches() throws Exception {
        List<String> plan = plan("SELECT session_id FROM jetty_sessions WHERE expires_at + 0 <= ?", now);
        assertThat(plan).anyMatch(line -> line.contains("Seq Scan on jetty_sessions"));
    }

    private void assertReadsExpiryIndex(String sql, Object... params) throws Exception {
        List<String> plan = plan(sql, params);
        assertThat(plan)
                .as("plan of %s", sql)
                .anyMatch(line -> line.matches(".*(Index Scan|Index Only Scan) using jetty_sessions_expiry .*")
                        || line.contains("Bitmap Index Scan on jetty_sessions_expiry"))
                .noneMatch(line -> line.contains("Seq Scan"));
    }

    private List<String> plan(String sql, Object... params) throws Exception {
        try (Connection c = fixture.connect();
                PreparedStatement s = c.prepareStatement("EXPLAIN " + sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            List<String> lines = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    lines.add(r.getString(1));
                }
            }
            System.out.println(String.join("\n", lines));
            return lines;
        }
    }
}
