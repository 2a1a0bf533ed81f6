package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.AlternatingUsers;
import io.github.jettysqlite.sessions.support.ChildJvm;
import io.github.jettysqlite.sessions.support.NodeHttp;
import io.github.jettysqlite.sessions.support.NodePair;
import io.github.jettysqlite.sessions.support.NodeServer;
import io.github.jettysqlite.sessions.support.NodeStats;
import io.github.jettysqlite.sessions.support.SQLiteWriteLock;
import io.github.jettysqlite.sessions.support.Waiting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two Jetty JVMs on one SQLite file while the file refuses writes for a while, and users clicking through both nodes
 * alternately all along: with the coherent cache, and with Jetty's {@code NullSessionCache} (flushOnResponseCommit).
 * Reads go on (WAL), so nobody may be given a new session; a change answered 200 must not be lost afterwards, and a
 * request whose change could not be saved is refused (503).
 *
 * <ul>
 *   <li>another process holds SQLite's write lock ({@code BEGIN IMMEDIATE}, {@link SQLiteWriteLock}) for {@value
 *       #HOLD_MS} ms, longer than the nodes' busy timeout of {@value #BUSY_TIMEOUT_MS} ms, so that their writes fail
 *       with SQLITE_BUSY;
 *   <li>the file system refuses the nodes' writes, as a full or failing disk does: their file size limit ({@code
 *       prlimit --fsize}, which their own user may set) is lowered to one byte, so that every write fails (EFBIG,
 *       which SQLite reports as SQLITE_IOERR_WRITE), and then lifted. No root needed, unlike a tiny tmpfs; {@code
 *       PRAGMA max_page_count} would not do, as it binds only the connection that sets it.
 * </ul>
 *
 * <p>Jetty's session manager catches what the cache's {@code commit} throws and logs it ("Unable to commit
 * Session"), and would answer 200 a request whose change the next request, on the other node, does not find; the
 * store answers such a request 503 instead ({@code refuseFailedSaves}) and drops its change. These tests count what
 * the users see, and fail if any change answered 200 is lost, or any 503 is not one the nodes counted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SQLiteLockedFileNodesIT {
    private static final int USERS = 8;
    private static final int BUSY_TIMEOUT_MS = 1_000;
    private static final long HOLD_MS = 3_000;

    /** One directory for the whole class, since the nodes' files outlive each test. */
    @TempDir
    static Path dir;

    private final Map<String, NodePair> pairs = new HashMap<>();
    private HttpClient client;

    @BeforeAll
    void startClient() throws Exception {
        client = NodeHttp.newClient();
    }

    @AfterAll
    void stopNodes() throws Exception {
        client.stop();
        for (NodePair pair : pairs.values()) {
            pair.close();
        }
    }

    @ParameterizedTest(name = "{0} cache")
    @ValueSource(strings = {"coherent", "null"})
    void aWriteLockHeldPastTheBusyTimeoutLosesNoChangeAnswered(String cache) throws Exception {
        clickThrough(cache, "another process held the write lock for " + HOLD_MS + " ms", (users, nodes) -> {
            try (ChildJvm lock =
                    ChildJvm.start(SQLiteWriteLock.class, file(cache).toString(), String.valueOf(HOLD_MS))) {
                awaitLine(lock, "LOCKED");
                awaitLine(lock, "RELEASED");
            }
        });
    }

    @ParameterizedTest(name = "{0} cache")
    @ValueSource(strings = {"coherent", "null"})
    void writesTheFileSystemRefusesLoseNoChangeAnswered(String cache) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "prlimit (util-linux) is not here");
        clickThrough(cache, "the file system refused every write of the nodes", (users, nodes) -> {
            long failedBefore = nodes.stats(client).storeFailures();
            try {
                fileSizeLimit(nodes, "1");
                // Until each user was replied to twice (once by each node) and writes were seen to fail.
                users.awaitEachReplied(users.mark(), 2);
                Waiting.until("a store failing", () -> storeFailures(nodes) > failedBefore);
            } finally {
                fileSizeLimit(nodes, "unlimited");
            }
        });
    }

    /** What is done to the nodes' file while the users click. */
    @FunctionalInterface
    private interface FileTrouble {
        void run(AlternatingUsers users, NodePair nodes) throws Exception;
    }

    /**
     * {@value #USERS} users click through the trouble on the two nodes with the given cache; then prints the figures,
     * with what the nodes counted and logged (Jetty's warning for each save the cache could not make, and the first
     * reason given), and asserts that no change answered 200 was lost and that every 503 was a save (or, with the
     * coherent cache, a load) the nodes refused.
     */
    private void clickThrough(String cache, String what, FileTrouble trouble) throws Exception {
        NodePair nodes = pair(cache);
        NodeStats before = nodes.stats(client);
        NodePair.OutputMark logs = nodes.outputMark();
        AlternatingUsers.Tally tally =
                AlternatingUsers.through(client, USERS, nodes, users -> trouble.run(users, nodes));
        NodeStats during = nodes.stats(client).minus(before);
        List<String> reasons = nodes.linesSince(logs, "SessionDatabaseException: ");
        System.out.printf(
                "%s, %s cache, %s: %s; the nodes counted %d failed stores (%d refused with 503) and %d failed loads,"
                        + " and logged %d saves that failed (Jetty's \"Unable to commit\" or \"Unable to release\"), the"
                        + " first because: %s%n",
                getClass().getSimpleName(),
                cache,
                what,
                tally.describe(),
                during.storeFailures(),
                during.savesRefused(),
                during.loadFailures(),
                nodes.savesFailedSince(logs),
                reasons.isEmpty()
                        ? "(none logged)"
                        : reasons.get(0).substring(reasons.get(0).indexOf("Exception: ") + 11));
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(during.storeFailures())
                    .as("stores that failed (the trouble was met)")
                    .isPositive();
            tally.assertNothingLost(soft);
            soft.assertThat(during.savesRefused())
                    .as("requests refused (503) because their change could not be saved")
                    .isPositive();
            soft.assertThat(tally.refused())
                    .as("503s the users saw, each a save or a load the nodes refused")
                    .isEqualTo(during.savesRefused() + during.refused());
        });
    }

    /** Sets both nodes' soft file size limit ({@code RLIMIT_FSIZE}), in bytes, leaving the hard limit as it is. */
    private static void fileSizeLimit(NodePair nodes, String bytes) throws IOException, InterruptedException {
        for (ChildJvm node : new ChildJvm[] {nodes.nodeA(), nodes.nodeB()}) {
            Process prlimit = new ProcessBuilder(
                            "prlimit", "--pid", String.valueOf(node.pid()), "--fsize=" + bytes + ":")
                    .redirectErrorStream(true)
                    .start();
            String output = new String(prlimit.getInputStream().readAllBytes());
            assertThat(prlimit.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(prlimit.exitValue()).as(output).isZero();
        }
    }

    private long storeFailures(NodePair nodes) {
        try {
            return nodes.stats(client).storeFailures();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitLine(ChildJvm child, String expected) throws InterruptedException {
        String line = child.nextLine(60, TimeUnit.SECONDS);
        assertThat(line).as(child.output()).isEqualTo(expected);
    }

    private static Path file(String cache) {
        return dir.resolve(cache).resolve("shared.db");
    }

    /** The two nodes with the given cache, on a file of their own, started by the first test that asks. */
    private NodePair pair(String cache) throws Exception {
        NodePair pair = pairs.get(cache);
        if (pair == null) {
            Files.createDirectories(file(cache).getParent());
            pair = NodePair.start(
                    file(cache).toString(),
                    "-D" + NodeServer.CACHE + "=" + cache,
                    "-D" + NodeServer.BUSY_TIMEOUT_MS + "=" + BUSY_TIMEOUT_MS);
            pairs.put(cache, pair);
        }
        return pair;
    }
}
