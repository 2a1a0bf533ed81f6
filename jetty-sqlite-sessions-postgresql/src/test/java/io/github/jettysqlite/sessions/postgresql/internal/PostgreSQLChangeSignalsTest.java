package io.github.jettysqlite.sessions.postgresql.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.internal.ChangeSignals.Change;
import io.github.jettysqlite.sessions.internal.ChangeSignals.Mark;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
    void aRemovalIsAnnouncedAfterItsCommitLikeAnyOtherChange() throws Exception {
        String id = "s2";
        Waiting.until("node B listens", () -> nodeB.mark(TABLE, SCOPE, id) != null);
        Mark before = nodeB.mark(TABLE, SCOPE, id);
        Change change = nodeA.beginRemoval(TABLE, SCOPE, id);
        try (Connection c = DriverManager.getConnection(url)) {
            // In autocommit, as the write's connection is once its delete committed: sent in a transaction of its own.
            nodeA.announce(c, nodeA.pending());
        } finally {
            nodeA.end(change);
        }
        assertThat(nodeB.mark(TABLE, SCOPE, id).session()).isEqualTo(before.session() + 1);
    }

    @Test
    void writersWaitingAtOneMomentShareOneStatementAndEachReturnsOnlyOnceItsChangeIsSeen() throws Exception {
        List<String> ids = List.of("w0", "w1", "w2", "w3");
        Waiting.until("node B listens", () -> nodeB.mark(TABLE, SCOPE, "w0") != null);
        List<Mark> before = new ArrayList<>();
        for (String id : ids) {
            before.add(nodeB.mark(TABLE, SCOPE, id));
        }
        CountDownLatch leaderSending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService writers = Executors.newFixedThreadPool(ids.size());
        try (Connection first = DriverManager.getConnection(url)) {
            Connection held = holding(first, leaderSending, release, null);
            List<Future<?>> done = new ArrayList<>();
            done.add(writers.submit(() -> announceChange(nodeA, ids.get(0), held)));
            Waiting.await(leaderSending, "the first writer sends");
            for (String id : ids.subList(1, ids.size())) {
                done.add(writers.submit(() -> {
                    try (Connection own = DriverManager.getConnection(url)) {
                        return announceChange(nodeA, id, own);
                    }
                }));
            }
            Waiting.until("three writers wait", () -> nodeA.combiner().queued() == 3);
            assertThat(done)
                    .as("no writer returns before its notification is sent")
                    .noneMatch(Future::isDone);
            release.countDown();
            for (Future<?> writer : done) {
                writer.get(Waiting.SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            writers.shutdownNow();
        }
        assertThat(nodeA.combiner().statements())
                .as("the first writer's statement, then one for the three that waited")
                .isEqualTo(2);
        for (int i = 0; i < ids.size(); i++) {
            assertThat(nodeB.mark(TABLE, SCOPE, ids.get(i)).session())
                    .as(ids.get(i))
                    .isGreaterThan(before.get(i).session());
        }
    }

    @Test
    void aFailedStatementFailsEveryWriterItCarriedAndTheNextWriterSendsAgain() throws Exception {
        Waiting.until("node B listens", () -> nodeB.mark(TABLE, SCOPE, "f0") != null);
        CountDownLatch firstSending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService writers = Executors.newFixedThreadPool(3);
        try (Connection first = DriverManager.getConnection(url)) {
            Connection goes = holding(first, firstSending, release, null);
            Future<?> leader = writers.submit(() -> announceChange(nodeA, "f0", goes));
            Waiting.await(firstSending, "the first writer sends");
            // Two writers wait; whichever of them sends for both, its connection breaks.
            List<Future<?>> waiting = new ArrayList<>();
            for (String id : List.of("f1", "f2")) {
                Connection breaks = holding(first, new CountDownLatch(1), new CountDownLatch(0), "connection reset");
                waiting.add(writers.submit(() -> announceChange(nodeA, id, breaks)));
            }
            Waiting.until("two writers wait", () -> nodeA.combiner().queued() == 2);
            release.countDown();
            leader.get(Waiting.SECONDS, TimeUnit.SECONDS);
            for (Future<?> writer : waiting) {
                assertThatThrownBy(() -> writer.get(Waiting.SECONDS, TimeUnit.SECONDS))
                        .as("a writer whose notification went in the failed statement is told")
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("connection reset");
            }
        } finally {
            writers.shutdownNow();
        }
        assertThat(nodeA.combiner().statements()).isEqualTo(2);
        Mark before = nodeB.mark(TABLE, SCOPE, "f3");
        try (Connection own = DriverManager.getConnection(url)) {
            announceChange(nodeA, "f3", own);
        }
        assertThat(nodeB.mark(TABLE, SCOPE, "f3").session())
                .as("a writer after the failure sends its own")
                .isEqualTo(before.session() + 1);
    }

    /** Begins, announces on the connection given and ends a change of a session, as a write does after its commit. */
    private Void announceChange(PostgreSQLChangeSignals node, String id, Connection connection) throws SQLException {
        Change change = node.begin(TABLE, SCOPE, id);
        try {
            node.announce(connection, node.pending());
        } finally {
            node.end(change);
        }
        return null;
    }

    /**
     * A connection whose statements, once prepared, say they are being sent and wait to be released; then fail with
     * the message given, or go to the server when it is null.
     */
    private static Connection holding(Connection real, CountDownLatch sending, CountDownLatch release, String failure) {
        return (Connection) Proxy.newProxyInstance(
                PostgreSQLChangeSignalsTest.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, args) -> {
                    if (m.getName().equals("prepareStatement")) {
                        sending.countDown();
                        Waiting.await(release, "the test releases the statement");
                        if (failure != null) {
                            throw new SQLException(failure, "08006");
                        }
                    }
                    try {
                        return m.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
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
        send(node);
        node.end(change);
    }

    private void send(PostgreSQLChangeSignals node) throws SQLException {
        try (Connection c = DriverManager.getConnection(url)) {
            PostgreSQLChangeSignals.send(c, node.pending());
        }
    }
}
