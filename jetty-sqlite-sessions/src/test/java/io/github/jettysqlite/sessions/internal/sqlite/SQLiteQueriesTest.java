package io.github.jettysqlite.sessions.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sqlite.core.CoreResultSet;

/**
 * A query run again through {@link SQLiteQueries} answers exactly what {@code executeQuery} answers, rows, no rows
 * and column names alike, and the driver is not asked for the column names again.
 */
class SQLiteQueriesTest {
    private static final String QUERY = "SELECT id, name, size FROM t WHERE id >= ? ORDER BY id";

    private Connection raw;
    private CachedConnection connection;

    @BeforeEach
    void open() throws SQLException {
        raw = DriverManager.getConnection("jdbc:sqlite::memory:");
        connection = new CachedConnection(raw, new SQLiteQueries());
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, size INTEGER)");
        connection.execute("INSERT INTO t VALUES (1, 'one', 10), (2, 'two', 20), (3, NULL, 30)");
    }

    @AfterEach
    void close() throws SQLException {
        connection.close();
    }

    @Test
    void everyRunAnswersWhatExecuteQueryAnswers() throws Exception {
        PreparedStatement plain = raw.prepareStatement(QUERY);
        for (int from : new int[] {1, 3, 4, 2, 1, 4, 3}) {
            PreparedStatement s = connection.prepare(QUERY);
            s.setInt(1, from);
            plain.setInt(1, from);
            try (ResultSet ours = connection.query(s);
                    ResultSet theirs = plain.executeQuery()) {
                assertThat(rows(ours)).as("from %d", from).isEqualTo(rows(theirs));
                assertThat(ours.getMetaData().getColumnName(2)).isEqualTo("name");
                assertThat(ours.findColumn("size")).isEqualTo(3);
            }
        }
    }

    @Test
    void aRunAfterTheFirstDoesNotAskTheDriverForTheColumnNamesAgain() throws Exception {
        PreparedStatement s = connection.prepare(QUERY);
        s.setInt(1, 1);
        String[] first;
        try (ResultSet r = connection.query(s)) {
            first = ((CoreResultSet) r).colsMeta;
        }
        for (int run = 0; run < 3; run++) {
            try (ResultSet r = connection.query(s)) {
                assertThat(((CoreResultSet) r).colsMeta).isSameAs(first);
                assertThat(rows(r)).hasSize(3);
            }
        }

        // The plain way asks every time: what this class saves.
        PreparedStatement plain = raw.prepareStatement(QUERY);
        plain.setInt(1, 1);
        String[] before;
        try (ResultSet r = plain.executeQuery()) {
            before = ((CoreResultSet) r).colsMeta;
        }
        try (ResultSet r = plain.executeQuery()) {
            assertThat(((CoreResultSet) r).colsMeta).isNotSameAs(before).isEqualTo(before);
        }
    }

    @Test
    void aStatementForgottenAfterAFailureIsPreparedAndRunAfresh() throws Exception {
        PreparedStatement s = connection.prepare(QUERY);
        s.setInt(1, 2);
        try (ResultSet r = connection.query(s)) {
            assertThat(rows(r)).hasSize(2);
        }
        assertThatThrownBy(() -> connection.query(connection.prepare("SELECT * FROM no_such_table")))
                .isInstanceOf(SQLException.class);
        connection.forgetStatements();

        PreparedStatement again = connection.prepare(QUERY);
        assertThat(again).isNotSameAs(s);
        again.setInt(1, 2);
        for (int run = 0; run < 2; run++) {
            try (ResultSet r = connection.query(again)) {
                assertThat(rows(r)).containsExactly(List.of("2", "two", "20"), List.of("3", "null", "30"));
            }
        }
    }

    @Test
    void aConnectionWrappedByATestRunsItsQueriesAsUsual() throws Exception {
        CachedConnection through = new CachedConnection(wrapped(raw, Connection.class), new SQLiteQueries());
        PreparedStatement s = through.prepare(QUERY);
        for (int from : new int[] {1, 2, 3}) {
            s.setInt(1, from);
            try (ResultSet r = through.query(s)) {
                assertThat(r).isNotInstanceOf(CoreResultSet.class);
                assertThat(rows(r)).hasSize(4 - from);
            }
        }
    }

    /** The object behind an interface of its own, as the fault-injecting tests wrap connections, down to results. */
    private static <T> T wrapped(Object target, Class<T> as) {
        return as.cast(Proxy.newProxyInstance(as.getClassLoader(), new Class<?>[] {as}, (proxy, method, args) -> {
            Object answer = method.invoke(target, args);
            for (Class<?> kind : List.of(PreparedStatement.class, ResultSet.class)) {
                if (method.getReturnType() == kind) {
                    return wrapped(answer, kind);
                }
            }
            return answer;
        }));
    }

    private static List<List<String>> rows(ResultSet r) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        while (r.next()) {
            rows.add(List.of(r.getString(1), String.valueOf(r.getString(2)), r.getString(3)));
        }
        return rows;
    }
}
