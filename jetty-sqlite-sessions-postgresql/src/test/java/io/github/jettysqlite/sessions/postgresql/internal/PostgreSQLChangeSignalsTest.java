package io.github.jettysqlite.sessions.postgresql.internal;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.function.UnaryOperator;
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
            nodeA.announce(c, nodeA.pending(), Waiting.SECONDS * 1000);
        } finally {
            nodeA.end(change);
        }
        assertThat(nodeB.mark(TABLE, SCOPE, id).session()).isEqualTo(before.session() + 1);
    }

    @Test
    void writersWaitingAtOneMomentShareOneStatementAndEachReturnsOnlyOnceItsChangeIsSeen() throws Exception {
        List<String> ids = List.of("w0", "w1", "w2", "w3");
        Waiting.until("node B listens", () -> nodeB.mark(TABLE, SCOPE, "w0") != null);
        CountDownLatch firstSending = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch secondSending = new CountDownLatch(1);
        CountDownLatch releaseSecond = new CountDownLatch(1);
        ExecutorService writers = Executors.newFixedThreadPool(ids.size());
        try (Connection first = DriverManager.getConnection(url)) {
            Connection held = holding(first, firstSending, releaseFirst, null);
            List<Future<Boolean>> seen = new ArrayList<>();
            seen.add(writers.submit(() -> announceAndLook(ids.get(0), held)));
            Waiting.await(firstSending, "the first writer sends");
            for (String id : ids.subList(1, ids.size())) {
                seen.add(writers.submit(() -> {
                    try (Connection own = DriverManager.getConnection(url)) {
                        // Whichever of the three sends for all is held too, until the test lets it go.
                        return announceAndLook(id, holding(own, secondSending, releaseSecond, null));
                    }
                }));
            }
            Waiting.until("three writers wait", () -> nodeA.combiner().queued() == 3);
            assertThat(seen).as("no writer returns before the first statement").noneMatch(Future::isDone);
            releaseFirst.countDown();
            assertThat(seen.get(0).get(Waiting.SECONDS, TimeUnit.SECONDS))
                    .as("the first writer's change is seen when it returns")
                    .isTrue();
            Waiting.await(secondSending, "one of the three sends for all");
            assertThat(seen.subList(1, seen.size()))
                    .as("none of the three returns before the statement carrying them")
                    .noneMatch(Future::isDone);
            releaseSecond.countDown();
            for (Future<Boolean> writer : seen) {
                assertThat(writer.get(Waiting.SECONDS, TimeUnit.SECONDS))
                        .as("each change is seen on the other node when its writer returns")
                        .isTrue();
            }
        } finally {
            writers.shutdownNow();
        }
        assertThat(nodeA.combiner().statements())
                .as("the first writer's statement, then one for the three that waited")
                .isEqualTo(2);
    }

    @Test
    void aWriterThatHasWaitedTooLongSendsItsOwnAlone() throws Exception {
        Waiting.until("node B listens", () -> nodeB.mark(TABLE, SCOPE, "h0") != null);
        CountDownLatch firstSending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try (Connection first = DriverManager.getConnection(url);
                Connection own = DriverManager.getConnection(url)) {
            // The first statement hangs, as one on a half-open connection would.
            Connection hangs = holding(first, firstSending, release, null);
            Future<?> stuck = writers.submit(() -> announceChange(nodeA, "h0", hangs, Waiting.SECONDS * 1000));
            Waiting.await(firstSending, "the first writer sends");
            Mark before = nodeB.mark(TABLE, SCOPE, "h1");
            Future<?> next = writers.submit(() -> announceChange(nodeA, "h1", own, 1));
            next.get(Waiting.SECONDS, TimeUnit.SECONDS);
            assertThat(stuck).as("the first statement still hangs").isNotDone();
            assertThat(nodeB.mark(TABLE, SCOPE, "h1").session())
                    .as("the second writer's change was sent without it")
                    .isEqualTo(before.session() + 1);
            release.countDown();
            stuck.get(Waiting.SECONDS, TimeUnit.SECONDS);
        } finally {
            writers.shutdownNow();
        }
        assertThat(nodeA.combiner().statements()).isEqualTo(2);
    }

    /** Announces a change of the session as a write does and says whether node B sees it the moment this returns. */
    private boolean announceAndLook(String id, Connection connection) throws SQLException {
        Mark before = nodeB.mark(TABLE, SCOPE, id);
        assertThat(before).as("node B gives a mark before " + id + " changes").isNotNull();
        announceChange(nodeA, id, connection);
        Mark after = nodeB.mark(TABLE, SCOPE, id);
        return after != null && after.session() > before.session();
    }

    @Test
    void aFailedStatementFailsEveryWriterItCarriedAndTheNextWriterSendsAgain() throws Exception {
        List<Throwable> outcomes = twoWritersBehindAStatement(
                "f", held -> holding(held, new CountDownLatch(1), new CountDownLatch(0), "connection reset"));
        assertThat(outcomes)
                .as("each writer whose notification went in the failed statement is told")
                .hasSize(2)
                .allSatisfy(failure ->
                        assertThat(failure).isInstanceOf(SQLException.class).hasMessageContaining("connection reset"));
        assertThat(nodeA.combiner().statements()).isEqualTo(2);
        Mark before = nodeB.mark(TABLE, SCOPE, "f3");
        try (Connection own = DriverManager.getConnection(url)) {
            announceChange(nodeA, "f3", own);
        }
        assertThat(nodeB.mark(TABLE, SCOPE, "f3").session())
                .as("a writer after the failure sends its own")
                .isEqualTo(before.session() + 1);
    }

    @Test
    void anErrorWhileSendingLeavesNoWriterItCarriedBelievingItsNotificationSent() throws Exception {
        List<Throwable> outcomes = twoWritersBehindAStatement("e", held -> (Connection)
                Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, (p, m, args) -> {
                    if (m.getName().equals("prepareStatement")) {
                        throw new AssertionError("an error while sending");
                    }
                    return m.invoke(held, args);
                }));
        assertThat(outcomes)
                .as("the sender meets the Error, the other is told its notification failed")
                .extracting(failure ->
                        failure == null ? "returned" : failure.getClass().getSimpleName())
                .containsExactlyInAnyOrder("AssertionError", "SQLException");
    }

    /**
     * Two writers queue behind a first writer's statement, which the test holds until both wait, each with the
     * connection given (so whichever sends for both sends on such a connection).
     *
     * @return what each of the two met: null when it returned, else what it threw
     */
    private List<Throwable> twoWritersBehindAStatement(String prefix, UnaryOperator<Connection> theirConnection)
            throws Exception {
        Waiting.until("node B listens", () -> nodeB.mark(TABLE, SCOPE, prefix + 0) != null);
        CountDownLatch firstSending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService writers = Executors.newFixedThreadPool(3);
        try (Connection first = DriverManager.getConnection(url)) {
            Connection goes = holding(first, firstSending, release, null);
            Future<?> leader = writers.submit(() -> announceChange(nodeA, prefix + 0, goes));
            Waiting.await(firstSending, "the first writer sends");
            List<Future<?>> waiting = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                String id = prefix + i;
                Connection theirs = theirConnection.apply(first);
                waiting.add(writers.submit(() -> announceChange(nodeA, id, theirs)));
            }
            Waiting.until("two writers wait", () -> nodeA.combiner().queued() == 2);
            release.countDown();
            leader.get(Waiting.SECONDS, TimeUnit.SECONDS);
            List<Throwable> outcomes = new ArrayList<>();
            for (Future<?> writer : waiting) {
                try {
                    writer.get(Waiting.SECONDS, TimeUnit.SECONDS);
                    outcomes.add(null);
                } catch (ExecutionException e) {
                    outcomes.add(e.getCause());
                }
            }
            return outcomes;
        } finally {
            writers.shutdownNow();
        }
    }

    /** Begins, announces on the connection given and ends a change of a session, as a write does after its commit. */
    private Void announceChange(PostgreSQLChangeSignals node, String id, Connection connection) throws SQLException {
        return announceChange(node, id, connection, Waiting.SECONDS * 1000);
    }

    private Void announceChange(PostgreSQLChangeSignals node, String id, Connection connection, long waitMs)
            throws SQLException {
        Change change = node.begin(TABLE, SCOPE, id);
        try {
            node.announce(connection, node.pending(), waitMs);
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
