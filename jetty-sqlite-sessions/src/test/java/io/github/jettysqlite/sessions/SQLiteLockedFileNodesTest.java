package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two Jetty JVMs on one SQLite file while the file refuses writes for a while, and users clicking through both nodes
 * alternately all along: with the coherent cache, and with Jetty's {@code NullSessionCache} (flushOnResponseCommit).
 * Reads go on (WAL), so nobody may be given a new session; a change answered 200 must not be lost afterwards.
 *
 * <ul>
 *   <li>another process holds SQLite's write lock ({@code BEGIN IMMEDIATE}, {@link SQLiteWriteLock}) for {@value
 *       #HOLD_MS} ms, longer than the nodes' busy timeout of {@value #BUSY_TIMEOUT_MS} ms, so that their writes fail
 *       with SQLITE_BUSY;
 *   <li>the file system refuses the nodes' writes: their file size limit ({@code prlimit --fsize}, as their own user
 *       may set it) is lowered to one byte, so that every write fails as on a full disk (SQLite reports the short
 *       write as SQLITE_FULL, a write past the limit as SQLITE_IOERR_WRITE), and then lifted.
 * </ul>
 *
 * <p>Jetty's session manager catches what the cache's {@code commit} and {@code release} throw and logs it, so a
 * request whose save failed is still answered 200; these tests count what that costs the users.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SQLiteLockedFileNodesTest {
    private static final int USERS = 8;
    private static final int BUSY_TIMEOUT_MS = 1_000;
    private static final long HOLD_MS = 3_000;

    /** One directory for the whole class, since the nodes' files outlive each test. */
    @TempDir
    static Path dir;

    private final Map<String, NodePair> pairs = new HashMap<>();
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        client = new HttpClient();
        // Cookies are per host, not per port: each request carries the session cookie the test gives it.
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
    }

    @AfterAll
    void stopNodes() throws Exception {
        for (NodePair pair : pairs.values()) {
            pair.close();
        }
    }

    @ParameterizedTest(name = "{0} cache")
    @ValueSource(strings = {"coherent", "null"})
    void aWriteLockHeldPastTheBusyTimeoutLosesNoChangeAnswered(String cache) throws Exception {
        NodePair nodes = pair(cache);
        NodeStats before = nodes.stats(client);
        NodePair.OutputMark logs = nodes.outputMark();
        AlternatingUsers.Tally tally;
        try (AlternatingUsers users = AlternatingUsers.start(client, USERS, nodes.a(), nodes.b())) {
            users.awaitEachAnswered(users.mark(), 3);
            AlternatingUsers.Mark locked;
            try (ChildJvm lock =
                    ChildJvm.start(SQLiteWriteLock.class, file(cache).toString(), String.valueOf(HOLD_MS))) {
                awaitLine(lock, "LOCKED");
                locked = users.mark();
                awaitLine(lock, "RELEASED");
            }
            users.awaitEachAnswered(locked, 1);
            users.awaitEachAnswered(users.mark(), 4);
            tally = users.stop();
        }
        report(cache, "another process held the write lock for " + HOLD_MS + " ms", nodes, before, logs, tally);
    }

    @ParameterizedTest(name = "{0} cache")
    @ValueSource(strings = {"coherent", "null"})
    void writesTheFileSystemRefusesLoseNoChangeAnswered(String cache) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "prlimit (util-linux) is not here");
        NodePair nodes = pair(cache);
        NodeStats before = nodes.stats(client);
        NodePair.OutputMark logs = nodes.outputMark();
        AlternatingUsers.Tally tally;
        try (AlternatingUsers users = AlternatingUsers.start(client, USERS, nodes.a(), nodes.b())) {
            users.awaitEachAnswered(users.mark(), 3);
            try {
                fileSizeLimit(nodes, "1");
                AlternatingUsers.Mark full = users.mark();
                // Until each user was answered twice (once by each node) and the writes were seen to fail.
                users.awaitEachAnswered(full, 2);
                Waiting.until(() -> storeFailures(nodes) > before.storeFailures());
            } finally {
                fileSizeLimit(nodes, "unlimited");
            }
            users.awaitEachAnswered(users.mark(), 4);
            tally = users.stop();
        }
        report(cache, "the file system refused every write of the nodes", nodes, before, logs, tally);
    }

    private void report(String cache, String what, NodePair nodes, NodeStats before, AlternatingUsers.Tally tally)
            throws Exception {
        NodeStats during = nodes.stats(client).minus(before);
        System.out.printf(
                "%s, %s cache, %s: %s; the nodes counted %d failed stores, %d failed loads%n",
                getClass().getSimpleName(),
                cache,
                what,
                tally.describe(),
                during.storeFailures(),
                during.loadFailures());
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(during.storeFailures())
                    .as("stores that failed (the scenario happened)")
                    .isPositive();
            soft.assertThat(tally.usersWithNewSession())
                    .as("users given a new session")
                    .isZero();
            soft.assertThat(tally.lostChanges())
                    .as("changes answered 200 and then lost")
                    .isZero();
            soft.assertThat(tally.wrongAnswers())
                    .as("answers other than the previous count plus one")
                    .isZero();
            soft.assertThat(tally.refused()).as("requests refused (503)").isZero();
            soft.assertThat(tally.otherFailures()).as("other failures").isEmpty();
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
