package io.github.jettysqlite.sessions.postgresql.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.internal.ChangeSignals.Change;
import io.github.jettysqlite.sessions.internal.ChangeSignals.Mark;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two nodes' change signals on one real PostgreSQL server, each with its own listening connection, as two JVMs have
 * them: what one commits, the other's next mark has seen, without waiting.
 */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLChangeSignalsTest {
    private static final String TABLE = "jetty_sessions";
    private static final SessionScope SCOPE = new SessionScope("_shop", "0.0.0.0");

    private final String url = PostgreSQLServer.get().freshSchemaUrl();
    /** Distinguishes this test's listening connections from every other test's on the shared server. */
    private final String tag = "signals-" + UUID.randomUUID();

    private final List<PostgreSQLChangeSignals> opened = new ArrayList<>();
    private PostgreSQLChangeSignals nodeA;
    private PostgreSQLChangeSignals nodeB;

    @BeforeEach
    void open() {
        nodeA = signals("a");
        nodeB = signals("b");
    }

    @AfterEach
    void close() {
        opened.forEach(PostgreSQLChangeSignals::close);
    }

    private PostgreSQLChangeSignals signals(String node) {
        PostgreSQLChangeSignals signals = new PostgreSQLChangeSignals(
                () -> {
                    Properties properties = new Properties();
                    properties.setProperty("ApplicationName", tag + "-" + node);
                    return DriverManager.getConnection(url, properties);
                },
                "test server");
        opened.add(signals);
        return signals;
    }

    @Test
    void aChangeCommittedOnOneNodeMovesTheOtherNodesNextMark() throws Exception {
        String id = "s1";
        Waiting.until("node B listens", () -> nodeB.mark(TABLE, SCOPE, id) != null);
        for (int i = 0; i < 100; i++) {
            Mark before = nodeB.mark(TABLE, SCOPE, id);
            commitChange(nodeA, id);
            Mark after = nodeB.mark(TABLE, SCOPE, id);
            assertThat(after).as("change %d", i).isNotNull().isNotEqualTo(before);
            assertThat(after.session()).as("change %d", i).isEqualTo(before.session() + 1);
        }
    }

    @Test
    void aChangeRolledBackWithItsNotificationIsNotAnnounced() throws Exception {
        String id = "s2";
        Waiting.until("node B listens", () -> nodeB.mark(TABLE, SCOPE, id) != null);
        Mark before = nodeB.mark(TABLE, SCOPE, id);
        Change change = nodeA.beginRemoval(TABLE, SCOPE, id);
        assertThat(nodeA.pending().inTransaction())
                .as("a removal notifies inside its transaction")
                .isTrue();
        try (Connection c = DriverManager.getConnection(url)) {
            c.setAutoCommit(false);
            PostgreSQLChangeSignals.send(c, nodeA.pending());
            c.rollback();
        } finally {
            nodeA.end(change);
        }
        assertThat(nodeA.pending()).as("ended").isNull();
        // A change announced after it is seen, so the rolled-back one would have been by now.
        commitChange(nodeA, "another");
        assertThat(nodeB.mark(TABLE, SCOPE, id)).isEqualTo(before);
    }

    @Test
    void aNodeDoesNotCountItsOwnChangeTwice() throws Exception {
        String id = "s3";
        Waiting.until("node A listens", () -> nodeA.mark(TABLE, SCOPE, id) != null);
        Mark before = nodeA.mark(TABLE, SCOPE, id);
        Change change = nodeA.begin(TABLE, SCOPE, id);
        assertThat(change.markBefore()).isEqualTo(before);
        assertThat(nodeA.mark(TABLE, SCOPE, id))
                .as("while its own change is under way")
                .isNull();
        send(nodeA);
        Mark after = nodeA.end(change);
        assertThat(after).isNotNull();
        assertThat(after.session()).isEqualTo(before.session() + 1);
        assertThat(nodeA.mark(TABLE, SCOPE, id))
                .as("its own notification arrived")
                .isEqualTo(after);
    }

    @Test
    void aChangeOfAllMovesEverySessionsMark() throws Exception {
        Waiting.until("node B listens", () -> nodeB.mark(TABLE, SCOPE, "x") != null);
        Mark x = nodeB.mark(TABLE, SCOPE, "x");
        Mark y = nodeB.mark(TABLE, SCOPE, "y");
        Change all = nodeA.beginAll();
        send(nodeA);
        nodeA.end(all);
        assertThat(nodeB.mark(TABLE, SCOPE, "x").all()).isEqualTo(x.all() + 1);
        assertThat(nodeB.mark(TABLE, SCOPE, "y").all()).isEqualTo(y.all() + 1);
    }

    @Test
    void aNotificationThisVersionCannotReadCountsAsAChangeOfAll() throws Exception {
        Waiting.until("node B listens", () -> nodeB.mark(TABLE, SCOPE, "x") != null);
        Mark before = nodeB.mark(TABLE, SCOPE, "x");
        for (String payload : List.of("garbage", "someone 99999999", "someone -1", "")) {
            try (Connection c = DriverManager.getConnection(url);
                    PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                notify.setString(1, PostgreSQLChangeSignals.CHANNEL);
                notify.setString(2, payload);
                notify.executeQuery().close();
            }
        }
        assertThat(nodeB.mark(TABLE, SCOPE, "x").all()).isEqualTo(before.all() + 4);
    }

    @Test
    void aLostListeningConnectionGivesNoMarksUntilANewGenerationListens() throws Exception {
        String id = "s4";
        Waiting.until("node B listens", () -> nodeB.mark(TABLE, SCOPE, id) != null);
        Mark before = nodeB.mark(TABLE, SCOPE, id);
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement kill = c.prepareStatement(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?")) {
            kill.setString(1, tag + "-b");
            kill.executeQuery().close();
        }
        // The round trip after the kill fails: no mark, so a cache reads the row (or, should the keeping thread have
        // connected again meanwhile, a mark of another generation).
        Mark afterKill = nodeB.mark(TABLE, SCOPE, id);
        assertThat(afterKill == null || afterKill.board() != before.board())
                .as("mark " + afterKill)
                .isTrue();
        // A change while nobody listened on node B: the next generation must not carry trust from before.
        commitChange(nodeA, id);
        Waiting.until("node B listens again", () -> nodeB.mark(TABLE, SCOPE, id) != null);
        Mark again = nodeB.mark(TABLE, SCOPE, id);
        assertThat(again.board()).isNotEqualTo(before.board()).isNotZero();
    }

    @Test
    void aClosedNodeGivesNoMarks() {
        nodeB.close();
        assertThat(nodeB.mark(TABLE, SCOPE, "x")).isNull();
    }

    /** A write of an attribute: its notification follows its commit, on its connection, before it ends. */
    private void commitChange(PostgreSQLChangeSignals node, String id) throws SQLException {
        Change change = node.begin(TABLE, SCOPE, id);
        assertThat(node.pending().inTransaction()).isFalse();
        send(node);
        node.end(change);
    }

    private void send(PostgreSQLChangeSignals node) throws SQLException {
        try (Connection c = DriverManager.getConnection(url)) {
            PostgreSQLChangeSignals.send(c, node.pending());
        }
    }
}
