package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.ChildJvm;
import io.github.jettysqlite.sessions.support.NodeHttp;
import io.github.jettysqlite.sessions.support.NodePair;
import io.github.jettysqlite.sessions.support.NodeServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.assertj.core.api.SoftAssertions;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CoherentSessionCache} over HTTP: two Jetty nodes in two JVMs on one database, each keeping sessions in
 * memory, and a session's requests going to either node (no sticky sessions). Every answer must be what a single
 * node would have given. Where Jetty's {@code DefaultSessionCache} gets the same steps wrong, a test shows that it
 * does, so that the coherent cache is what makes the difference.
 *
 * <p>Starting JVMs is what takes time, so the tests share one pair of nodes per cache (each test with sessions of
 * its own), started by the first test that needs it; only the test that kills a node has a pair to itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractCoherentCacheNodesIT {
    private static final String COHERENT = "coherent";
    private static final String JETTY_DEFAULT = "default";
    private static final int USERS = 8;
    private static final int REQUESTS = 40;
    private static final int LOGINS = 20;
    private static final int ROUNDS = 15;
    private static final int MAX_INACTIVE_SEC = 3;
    private static final int SCAVENGE_SEC = 1;

    /** One directory for the whole class, since the shared nodes' databases outlive each test. */
    @TempDir
    static Path dir;

    private final Map<String, NodePair> pairs = new HashMap<>();
    private HttpClient client;
    private ExecutorService users;

    /** A database for two nodes to share: a file in the directory, or a fresh PostgreSQL schema. */
    abstract String newDatabase(Path dir);

    @BeforeEach
    void start() throws Exception {
        client = new HttpClient();
        // Cookies are per host, not per port: each request carries the session cookie the test gives it.
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.start();
        users = Executors.newFixedThreadPool(USERS);
    }

    @AfterEach
    void stop() throws Exception {
        users.shutdownNow();
        client.stop();
    }

    @AfterAll
    void stopNodes() throws Exception {
        for (NodePair pair : pairs.values()) {
            pair.close();
        }
    }

    @Test
    void usersAlternatingBetweenNodesAlwaysSeeThePreviousCount() throws Exception {
        assertThat(staleAnswersOfAlternatingUsers(COHERENT)).isZero();
    }

    @Test
    void defaultSessionCacheAnswersStaleCountsToUsersAlternatingBetweenNodes() throws Exception {
        assertThat(staleAnswersOfAlternatingUsers(JETTY_DEFAULT)).isPositive();
    }

    @Test
    void logoutOnOneNodeGivesTheOldCookieANewSessionOnTheOther() throws Exception {
        assertThat(usersStillLoggedInAfterLogoutOnTheOtherNode(COHERENT)).isZero();
    }

    @Test
    void defaultSessionCacheKeepsUsersLoggedInAfterLogoutOnTheOtherNode() throws Exception {
        assertThat(usersStillLoggedInAfterLogoutOnTheOtherNode(JETTY_DEFAULT)).isEqualTo(LOGINS);
    }

    @Test
    void concurrentRequestsOfOneSessionOnBothNodesKeepBothChanges() throws Exception {
        NodePair nodes = pair(COHERENT);
        long mergedBefore = nodes.mergedWrites(client);
        int lost = sumOverUsers(() -> {
            String id = idOf(NodeHttp.get(client, nodes.a(), null));
            int lostHere = 0;
            for (int r = 0; r < ROUNDS; r++) {
                CompletableFuture<String> setA = NodeHttp.send(client, nodes.a() + "?delay=25&set=a=" + r, id);
                CompletableFuture<String> setB = NodeHttp.send(client, nodes.b() + "?delay=25&set=b=" + r, id);
                assertThat(setA.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
                assertThat(setB.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
                String both = NodeHttp.get(client, (r % 2 == 0 ? nodes.a() : nodes.b()) + "?get=a,b", id);
                if (!both.equals("a=" + r + " b=" + r)) {
                    lostHere++;
                }
            }
            return lostHere;
        });
        long merged = nodes.mergedWrites(client) - mergedBefore;
        System.out.printf(
                "%s, coherent cache: %d of %d reads after concurrent changes on both nodes lost one;"
                        + " %d writes merged with a concurrent one%n",
                getClass().getSimpleName(), lost, USERS * ROUNDS, merged);
        assertThat(lost).as("reads that lost one of the two changes").isZero();
        assertThat(merged).as("the rounds really overlapped").isPositive();
    }

    @Test
    void attributeSetOnOneNodeIsSeenByTheNextRequestOnTheOther() throws Exception {
        NodePair nodes = pair(COHERENT);
        int unseen = sumOverUsers(() -> {
            String id = idOf(NodeHttp.get(client, nodes.a(), null));
            int unseenHere = 0;
            for (int r = 0; r < ROUNDS; r++) {
                String writer = r % 2 == 0 ? nodes.b() : nodes.a();
                String reader = r % 2 == 0 ? nodes.a() : nodes.b();
                // The reader holds the session in memory, with the value before this round's.
                assertThat(NodeHttp.get(client, reader + "?get=x", id)).isEqualTo("x=" + (r == 0 ? null : r - 1));
                assertThat(NodeHttp.get(client, writer + "?set=x=" + r, id)).isEqualTo("ok");
                if (!NodeHttp.get(client, reader + "?get=x", id).equals("x=" + r)) {
                    unseenHere++;
                }
            }
            return unseenHere;
        });
        System.out.printf(
                "%s, coherent cache: %d of %d attributes set on one node were not seen by the next request on the"
                        + " other%n",
                getClass().getSimpleName(), unseen, USERS * ROUNDS);
        assertThat(unseen).isZero();
    }

    /**
     * A node sends its answer (the session saved first) before the request lets go of the session; the user's next
     * requests, on the other node and back on this one, can come in that window, which the node is made to hold open
     * here.
     */
    @Test
    void changeOnTheOtherNodeIsSeenWhileTheLastRequestHereIsStillFinishing() throws Exception {
        NodePair nodes = pair(COHERENT);
        String id = idOf(NodeHttp.get(client, nodes.a(), null));
        // A connection of its own, which the lingering request keeps busy: the next ones take another, as requests
        // through a browser's or a balancer's several connections do.
        HttpClient lingering = new HttpClient();
        lingering.setHttpCookieStore(new HttpCookieStore.Empty());
        lingering.start();
        try {
            assertThat(NodeHttp.get(lingering, nodes.a() + "?linger=2000", id)).isEqualTo(id + " 2");
        } finally {
            lingering.stop();
        }
        assertThat(NodeHttp.get(client, nodes.b(), id)).isEqualTo(id + " 3");
        String answerOfA = NodeHttp.get(client, nodes.a(), id);
        String saved = NodeHttp.get(client, nodes.b() + "?peek", id);
        System.out.printf(
                "%s, coherent cache: the next request on node A while its last one was finishing answered %s"
                        + " (expected %s 4); the row then held %s%n",
                getClass().getSimpleName(), answerOfA, id, saved);
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(answerOfA).as("node A's answer").isEqualTo(id + " 4");
            soft.assertThat(saved).as("the count saved").isEqualTo(id + " 4");
        });
    }

    @Test
    void sessionsKeepTheirCountsWhenANodeIsKilledAndRestarted() throws Exception {
        String database = newDatabase(Files.createDirectories(dir.resolve("kill")));
        ChildJvm restartedA = null;
        try (NodePair nodes = NodePair.start(NodeServer.class, cacheOption(COHERENT), database)) {
            String b = nodes.b();
            AtomicReference<String> a = new AtomicReference<>(nodes.a());
            AtomicReference<String> restarted = new AtomicReference<>();
            CountDownLatch killed = new CountDownLatch(1);
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger answers = new AtomicInteger();
            AtomicInteger answersOfRestarted = new AtomicInteger();
            AtomicInteger cut = new AtomicInteger();
            List<Future<String>> loops = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                loops.add(users.submit(() -> {
                    String id = idOf(NodeHttp.get(client, b, null));
                    int count = 1;
                    for (int i = 1; !done.get(); i++) {
                        String onA = a.get();
                        String node = i % 2 == 1 && onA != null ? onA : b;
                        String answer;
                        try {
                            answer = NodeHttp.get(client, node, id);
                        } catch (Exception e) {
                            if (node.equals(b)) {
                                throw e;
                            }
                            // The kill cut this request: its increment was saved before it, or not at all. Once the
                            // node is dead nothing of it can still arrive, and the other node says which it was.
                            Waiting.await(killed, "node A killed");
                            cut.incrementAndGet();
                            int saved = countOf(NodeHttp.get(client, b + "?peek", id));
                            assertThat(saved).isBetween(count, count + 1);
                            count = saved;
                            continue;
                        }
                        assertThat(answer)
                                .as("request %d, to %s", i, node.equals(b) ? "node B" : "node A")
                                .isEqualTo(id + " " + (count + 1));
                        count++;
                        answers.incrementAndGet();
                        if (node.equals(restarted.get())) {
                            answersOfRestarted.incrementAndGet();
                        }
                    }
                    return id + " " + count;
                }));
            }
            awaitWhileUsersRun(loops, "six answers per user", () -> answers.get() >= USERS * 6);
            nodes.nodeA().kill();
            a.set(null);
            killed.countDown();
            int beforeRestart = answers.get();
            awaitWhileUsersRun(
                    loops, "four answers per user since the kill", () -> answers.get() >= beforeRestart + USERS * 4);
            restartedA = NodePair.node(NodeServer.class, cacheOption(COHERENT), database, "nodeA");
            String again = NodeHttp.baseUri(restartedA);
            restarted.set(again);
            a.set(again);
            awaitWhileUsersRun(
                    loops,
                    "five answers per user from the restarted node",
                    () -> answersOfRestarted.get() >= USERS * 5);
            done.set(true);
            for (Future<String> loop : loops) {
                String last = loop.get(1, TimeUnit.MINUTES);
                assertThat(NodeHttp.get(client, again + "?peek", idOf(last))).isEqualTo(last);
                assertThat(NodeHttp.get(client, b + "?peek", idOf(last))).isEqualTo(last);
            }
            System.out.printf(
                    "%s, coherent cache: %d answers, each the previous count plus one, %d of them from node A after"
                            + " its SIGKILL and restart; %d requests cut by the kill%n",
                    getClass().getSimpleName(), answers.get(), answersOfRestarted.get(), cut.get());
        } finally {
            if (restartedA != null) {
                restartedA.close();
            }
        }
    }

    @Test
    void sessionKeptAliveThroughOneNodeIsNotExpiredByTheOtherNodesCachedCopy() throws Exception {
        KeptAlive kept = keptAliveOnBThenAskedOnA(COHERENT);
        assertThat(kept.answerOfA()).isEqualTo(kept.id() + " " + (kept.count() + 1));
    }

    @Test
    void defaultSessionCacheExpiresASessionTheOtherNodeKeptAlive() throws Exception {
        KeptAlive kept = keptAliveOnBThenAskedOnA(JETTY_DEFAULT);
        assertThat(kept.answerOfA()).isNotEqualTo(kept.id() + " " + (kept.count() + 1));
        assertThat(kept.answerOfA()).endsWith(" 1");
    }

    /**
     * {@value #USERS} users each send {@value #REQUESTS} requests that add one to their count, alternating between
     * the nodes.
     *
     * @return how many answers were not the user's previous count plus one
     */
    private int staleAnswersOfAlternatingUsers(String cache) throws Exception {
        NodePair pair = pair(cache);
        String[] nodes = {pair.a(), pair.b()};
        int stale = sumOverUsers(() -> {
            String first = NodeHttp.get(client, nodes[0], null);
            String id = idOf(first);
            int previous = countOf(first);
            int staleHere = 0;
            for (int i = 1; i < REQUESTS; i++) {
                String answer = NodeHttp.get(client, nodes[i % 2], id);
                assertThat(idOf(answer)).isEqualTo(id);
                if (countOf(answer) != previous + 1) {
                    staleHere++;
                }
                previous = countOf(answer);
            }
            return staleHere;
        });
        System.out.printf(
                "%s, %s cache: %d of %d answers to users alternating between the nodes were stale%n",
                getClass().getSimpleName(), cache, stale, USERS * REQUESTS);
        return stale;
    }

    /**
     * {@value #LOGINS} users each log in on node A, make a request there that finds the session in A's memory, log
     * out on node B, and send their old cookie to node A again.
     *
     * @return how many users node A still found logged in
     */
    private int usersStillLoggedInAfterLogoutOnTheOtherNode(String cache) throws Exception {
        NodePair nodes = pair(cache);
        int stillLoggedIn = 0;
        for (int u = 0; u < LOGINS; u++) {
            String user = "user" + u;
            String id = idOf(NodeHttp.get(client, nodes.a() + "?whoami", null));
            assertThat(NodeHttp.get(client, nodes.a() + "?login=" + user, id)).isEqualTo("ok");
            assertThat(NodeHttp.get(client, nodes.a() + "?whoami", id)).isEqualTo(id + " " + user);
            assertThat(NodeHttp.get(client, nodes.b() + "?invalidate", id)).isEqualTo("invalidated");
            String after = NodeHttp.get(client, nodes.a() + "?whoami", id);
            if (after.equals(id + " " + user)) {
                stillLoggedIn++;
            } else {
                assertThat(idOf(after)).as("a new session").isNotEqualTo(id);
                assertThat(after).endsWith(" anonymous");
            }
        }
        System.out.printf(
                "%s, %s cache: %d of %d users logged out on node B were still logged in on node A%n",
                getClass().getSimpleName(), cache, stillLoggedIn, LOGINS);
        return stillLoggedIn;
    }

    /**
     * A session made on node A (which keeps it in memory) is kept alive through node B alone, with requests spaced
     * well within its {@value #MAX_INACTIVE_SEC} s timeout, until A's copy of it would have expired and A's scavenger
     * has run since; then the session's cookie goes to node A.
     */
    private KeptAlive keptAliveOnBThenAskedOnA(String cache) throws Exception {
        NodePair nodes = pair(cache);
        String id = idOf(NodeHttp.get(client, nodes.a(), null));
        long lastOnA = System.nanoTime();
        int count = 1;
        // Expiry needs time to pass: B's requests, each well within the timeout of the one before, go on until A's
        // copy would have expired and A's scavenger has run since.
        long untilExpiredOnA = TimeUnit.SECONDS.toNanos(MAX_INACTIVE_SEC + 2L * SCAVENGE_SEC);
        while (System.nanoTime() - lastOnA < untilExpiredOnA) {
            Thread.sleep(TimeUnit.SECONDS.toMillis(MAX_INACTIVE_SEC) / 3);
            count++;
            assertThat(NodeHttp.get(client, nodes.b(), id)).isEqualTo(id + " " + count);
        }
        String answerOfA = NodeHttp.get(client, nodes.a(), id);
        System.out.printf(
                "%s, %s cache: session kept alive by %d requests on node B for %d ms; node A then answered"
                        + " %s (expected %s)%n",
                getClass().getSimpleName(),
                cache,
                count - 1,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastOnA),
                answerOfA.equals(id + " " + (count + 1)) ? "the same session" : "a new session",
                count + 1);
        return new KeptAlive(id, count, answerOfA);
    }

    /** A session's id, its count after the requests on node B, and node A's answer to its cookie afterwards. */
    private record KeptAlive(String id, int count, String answerOfA) {}

    /**
     * The two nodes with the given cache, started on a database of their own by the first test that asks. Their
     * sessions time out after {@value #MAX_INACTIVE_SEC} s, scavenged every {@value #SCAVENGE_SEC} s, so that the
     * expiry tests need not wait long; every other test's sessions are busy far more often than that.
     */
    private NodePair pair(String cache) throws Exception {
        NodePair pair = pairs.get(cache);
        if (pair == null) {
            String database = newDatabase(Files.createDirectories(dir.resolve(cache)));
            String[] timing = {String.valueOf(MAX_INACTIVE_SEC), String.valueOf(SCAVENGE_SEC), "1"};
            pair = NodePair.start(NodeServer.class, cacheOption(cache), database, timing);
            pairs.put(cache, pair);
        }
        return pair;
    }

    /** The JVM option that gives a {@link NodeServer} the session cache. */
    private static List<String> cacheOption(String cache) {
        return List.of("-D" + NodeServer.CACHE + "=" + cache);
    }

    /** Waits for the condition, or for a user to stop early, whose failure then fails the test. */
    private static void awaitWhileUsersRun(List<? extends Future<?>> loops, String what, BooleanSupplier condition)
            throws Exception {
        Waiting.until(what, () -> condition.getAsBoolean() || loops.stream().anyMatch(Future::isDone));
        for (Future<?> loop : loops) {
            if (loop.isDone()) {
                loop.get();
            }
        }
    }

    /** Runs {@value #USERS} users at once and adds up what each counted. */
    private int sumOverUsers(Callable<Integer> user) throws Exception {
        List<Future<Integer>> loops = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            loops.add(users.submit(user));
        }
        int sum = 0;
        for (Future<Integer> loop : loops) {
            sum += loop.get(2, TimeUnit.MINUTES);
        }
        return sum;
    }

    private static String idOf(String answer) {
        return answer.split(" ")[0];
    }

    private static int countOf(String answer) {
        return Integer.parseInt(answer.split(" ")[1]);
    }
}
