package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.internal.table.SessionStatements;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.internal.table.SqlDialect;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins the query plans of the exact statements the store runs to find and delete expired sessions: each must
 * SEARCH the partial expiry index on a range of expires_at, and none may SCAN the table.
 */
class QueryPlanTest {
    @TempDir
    Path dir;

    private SQLiteFixture fixture;
    private SessionStatements table;

    @BeforeEach
    void start() throws Exception {
        fixture = new SQLiteFixture(dir.resolve("plans.db"));
        SQLiteSessionDataStore store = fixture.store();
        table = new SessionStatements(new SessionTable(SessionTable.DEFAULT_NAME, SqlDialect.SQLITE));
        long now = System.currentTimeMillis();
        // Enough rows, some immortal, that a plan could prefer a scan if the index were unusable.
        for (int i = 0; i < 200; i++) {
            StoreFixture.put(store, StoreFixture.session(store, "s" + i, i % 3 == 0 ? 0 : now + i, StoreFixture.NODE));
        }
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void getExpiredSearchesTheExpiryIndex() throws Exception {
        assertSearchesExpiryIndex(table.expiry().expiredInContextSql(), 2460000.5, "/app", "0.0.0.0");
    }

    @Test
    void ownExpiredPartOfCheckExpiredSearchesTheExpiryIndex() throws Exception {
        assertSearchesExpiryIndex(table.expiry().expiredOwnedBySql(), 2460000.5, "/app", "0.0.0.0", "node1");
    }

    @Test
    void cleanOrphansSearchesTheExpiryIndex() throws Exception {
        assertSearchesExpiryIndex(table.expiry().deleteExpiredBatchSql(), 2460000.5, 500);
    }

    @Test
    void aFunctionAroundTheColumnWouldScanWhichIsWhatThisTestCatches() throws Exception {
        List<String> plan = plan("SELECT session_id FROM jetty_sessions WHERE julianday(expires_at) <= ?", 2460000.5);
        assertThat(plan).anyMatch(step -> step.startsWith("SCAN jetty_sessions"));
    }

    private void assertSearchesExpiryIndex(String sql, Object... params) throws Exception {
        List<String> plan = plan(sql, params);
        assertThat(plan)
                .as("plan of %s", sql)
                .anyMatch(step -> step.matches(
                        "SEARCH jetty_sessions USING (COVERING )?INDEX jetty_sessions_expiry \\(expires_at<\\?\\)"))
                .noneMatch(step -> step.startsWith("SCAN"));
    }

    private List<String> plan(String sql, Object... params) throws Exception {
        try (Connection c = fixture.connect();
                PreparedStatement s = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            List<String> steps = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    steps.add(r.getString("detail"));
                }
            }
            return steps;
        }
    }
}
