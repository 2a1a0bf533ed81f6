package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.AlternatingUsers;
import io.github.jettysqlite.sessions.support.LocalPostgreSQL;
import io.github.jettysqlite.sessions.support.NodeHttp;
import io.github.jettysqlite.sessions.support.NodePair;
import io.github.jettysqlite.sessions.support.NodeServer;
import io.github.jettysqlite.sessions.support.NodeStats;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A PostgreSQL restart under two Jetty JVMs with the coherent cache, on a server of the test's own that it stops as
 * an operator would ({@code pg_ctl stop -m fast}, a routine restart; {@code -m immediate}, a crash), while users keep
 * clicking through both nodes alternately. Within the nodes' connection timeout nobody notices but for slower
 * answers; past it, requests are refused with 503 and every user's session is there again once the server is.
 *
 * <p>The outages are deliberate and short: the server is started again {@value #SHORT_OUTAGE_MS} or {@value
 * #LONGER_OUTAGE_MS} ms after it stopped, within the default wait of 5 s; the outage past the wait runs against
 * nodes that wait {@value #SHORT_WAIT_MS} ms and lasts until both nodes gave up on the server and every user then
 * clicked on each node.
 *
 * <p>What these tests catch (see the figures they print): a save that gives up answered 200 (Jetty's session manager
 * logs what the cache's {@code commit} throws, "Unable to commit Session", and goes on; the store answers 503
 * instead), so that the user's next request, on the other node, would not see the change; past the wait, a
 * node that serves its cached copy unchecked serves a user who alternates the copy of two requests ago; and after a
 * 3 s outage the nodes get their first connection some 2 s after the server is back, as HikariCP's connection
 * creator backs off (10 ms, doubling, up to 5 s) while requests wait for it, which takes the outage past the 5 s
 * wait.
 */
@ExtendWith(PostgreSQLRequired.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgreSQLOutageNodesIT {
    private static final int USERS = 8;
    private static final long SHORT_OUTAGE_MS = 1_000;
    private static final long LONGER_OUTAGE_MS = 3_000;
    /**
     * The wait the restarts fit in: HikariCP reconnects with a backoff that grows while the server is away, so a 3 s
     * restart is reconnected up to about 2 s after the server is back; README advises 15 s for restarts this long.
     */
    private static final int WAIT_MS = 15_000;

    private static final int SHORT_WAIT_MS = 1_000;

    private LocalPostgreSQL postgres;
    /** The nodes now running, and the connection timeout they were given. */
    private NodePair nodes;

    private int nodesWaitMs;
    private HttpClient client;

    @BeforeAll
    void startClient() throws Exception {
        client = NodeHttp.newClient();
    }

    @AfterAll
    void stopServers() throws Exception {
        client.stop();
        try {
            if (nodes != null) {
                nodes.close();
            }
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
    }

    @ParameterizedTest(name = "pg_ctl stop -m {0}, started again after {1} ms")
    @CsvSource({
        "fast, " + SHORT_OUTAGE_MS,
        "immediate, " + SHORT_OUTAGE_MS,
        "fast, " + LONGER_OUTAGE_MS,
        "immediate, " + LONGER_OUTAGE_MS
    })
    void aRestartWithinTheWaitLogsNobodyOutAndLosesNoCount(String mode, long outageMs) throws Exception {
        Outage outage = clickThrough(WAIT_MS, mode, users -> {
            long down = System.nanoTime();
            users.awaitEachWaiting();
            // The outage itself is the one deliberate wait.
            TimeUnit.NANOSECONDS.sleep(down + TimeUnit.MILLISECONDS.toNanos(outageMs) - System.nanoTime());
        });
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(outage.stats().retries())
                    .as("statements retried (the outage was met)")
                    .isPositive();
            outage.tally().assertNothingLost(soft);
            soft.assertThat(outage.tally().refused())
                    .as("requests refused (503)")
                    .isZero();
        });
    }

    /**
     * Users keep clicking through an outage longer than the nodes wait: requests that meet it are refused with 503
     * and keep the user's cookie, and after the restart every user goes on from the count last answered.
     */
    @Test
    void anOutageLongerThanTheWaitRefusesRequestsAndEveryUserGoesOnAfterIt() throws Exception {
        NodePair nodes = nodes(SHORT_WAIT_MS);
        long gaveUpOnA = gaveUp(nodes.a());
        long gaveUpOnB = gaveUp(nodes.b());
        Outage outage = clickThrough(SHORT_WAIT_MS, "fast", users -> {
            // Past the wait: each node's store gave up on the database; then every user clicks on each node again.
            Waiting.until(
                    "both nodes giving up on a save",
                    () -> gaveUp(nodes.a()) > gaveUpOnA && gaveUp(nodes.b()) > gaveUpOnB);
            users.awaitEachReplied(users.mark(), 3);
        });
        SoftAssertions.assertSoftly(soft -> {
            outage.tally().assertNothingLost(soft);
            soft.assertThat(outage.tally().refused())
                    .as("requests refused (503)")
                    .isGreaterThanOrEqualTo(USERS);
            soft.assertThat(outage.stats().refused() + outage.stats().savesRefused())
                    .as("refusals the nodes counted: loads and saves")
                    .isEqualTo(outage.tally().refused());
        });
    }

    /**
     * A user logs out on node B just as the server goes down, after B loaded the session: B ends the session at once
     * (its old cookie gets a new session there), deletes the row once the server is back, and from then on node A,
     * which served the user a moment before, gives the old cookie a new session too. A delete the database refused
     * used to be logged by Jetty and forgotten, and the row kept the user logged in on every other node.
     */
    @Test
    void aLogoutTheServerFailsToDeleteEndsTheSessionOnEveryNodeOnceItIsBack() throws Exception {
        NodePair nodes = nodes(SHORT_WAIT_MS);
        String id = idOf(NodeHttp.get(client, nodes.a() + "?whoami", null));
        NodeHttp.get(client, nodes.a() + "?login=alice", id);
        assertThat(NodeHttp.get(client, nodes.b() + "?whoami", id)).isEqualTo(id + " alice");
        String other = idOf(NodeHttp.get(client, nodes.b() + "?whoami", null));
        Path release = Files.createTempDirectory("logout").resolve("release");

        CompletableFuture<NodeHttp.Reply> logout = CompletableFuture.supplyAsync(() -> {
            try {
                return NodeHttp.exchange(client, nodes.b() + "?invalidate&hold=" + release, id);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Waiting.until("the logout held on node B, its session loaded", () -> Files.exists(Path.of(release + ".held")));
        postgres.stop("fast");
        try {
            Files.createFile(release);
            NodeHttp.Reply answer = logout.get(60, TimeUnit.SECONDS);
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("invalidated");
            assertThat(rows(id)).as("the row, while the server is down").isEqualTo(-1);
        } finally {
            postgres.start();
        }
        assertThat(rows(id)).as("the row, whose delete the server never took").isEqualTo(1);

        // Node B tries the delete again after a later save of its own succeeds (or at its housekeeping).
        Waiting.until("node B deleting the row once the server is back", () -> {
            NodeHttp.get(client, nodes.b(), other);
            return rows(id) == 0;
        });
        assertThat(NodeHttp.get(client, nodes.a() + "?whoami", id)).as("node A").doesNotEndWith(" alice");
        assertThat(NodeHttp.get(client, nodes.b() + "?whoami", id)).as("node B").doesNotEndWith(" alice");
    }

    private static String idOf(String whoami) {
        return whoami.substring(0, whoami.indexOf(' '));
    }

    /** The rows of the session id, or -1 while the server cannot be reached. */
    private int rows(String id) {
        try (Connection c = DriverManager.getConnection(postgres.url());
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM jetty_sessions WHERE session_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        } catch (SQLException e) {
            return -1;
        }
    }

    /** How many times the node's store gave up on the database. */
    private long gaveUp(String node) {
        try {
            return NodeHttp.stats(client, node).gaveUp();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the users saw of an outage, and what the nodes counted during it. */
    private record Outage(AlternatingUsers.Tally tally, NodeStats stats) {}

    /**
     * {@value #USERS} users click on two nodes that wait up to {@code waitMs} for the server, which is stopped in the
     * given mode for as long as {@code down} takes and then started again; prints the figures, with the store's log
     * lines as the database stopped and started answering.
     */
    private Outage clickThrough(int waitMs, String mode, AlternatingUsers.Disruption down) throws Exception {
        NodePair nodes = nodes(waitMs);
        NodeStats before = nodes.stats(client);
        NodePair.OutputMark logs = nodes.outputMark();
        long[] tookMs = new long[2];
        AlternatingUsers.Tally tally = AlternatingUsers.through(client, USERS, nodes, users -> {
            long stopping = System.nanoTime();
            postgres.stop(mode);
            long stopped = System.nanoTime();
            try {
                down.run(users);
            } finally {
                postgres.start();
            }
            tookMs[0] = TimeUnit.NANOSECONDS.toMillis(stopped - stopping);
            tookMs[1] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        });
        NodeStats during = nodes.stats(client).minus(before);
        System.out.printf(
                "%s, pg_ctl stop -m %s (took %d ms), accepting connections again %d ms later, nodes waiting up to %d"
                        + " ms: %s; the nodes retried %d statements, gave up %d, refused %d requests (%d of them for a"
                        + " save), and logged %d saves that failed (Jetty's \"Unable to commit\" or \"Unable to"
                        + " release\")%n",
                getClass().getSimpleName(),
                mode,
                tookMs[0],
                tookMs[1],
                waitMs,
                tally.describe(),
                during.retries(),
                during.gaveUp(),
                during.refused() + during.savesRefused(),
                during.savesRefused(),
                nodes.savesFailedSince(logs));
        for (String line : nodes.linesSince(logs, "Session database")) {
            if (line.contains("stopped answering") || line.contains("answers again")) {
                System.out.println("    " + line);
            }
        }
        return new Outage(tally, during);
    }

    /**
     * The private server, and two coherent-cache nodes on it with the given connection timeout, started when first
     * asked for; nodes with another timeout are stopped first, so that two at most run at once.
     */
    private NodePair nodes(int waitMs) throws Exception {
        if (postgres == null) {
            postgres = PostgreSQLServer.startLocal();
        }
        if (nodes != null && nodesWaitMs != waitMs) {
            nodes.close();
            nodes = null;
        }
        if (nodes == null) {
            nodes = NodePair.start(
                    postgres.url(),
                    "-D" + NodeServer.CACHE + "=coherent",
                    "-D" + NodeServer.CONNECTION_TIMEOUT_MS + "=" + waitMs);
            nodesWaitMs = waitMs;
        }
        return nodes;
    }
}
