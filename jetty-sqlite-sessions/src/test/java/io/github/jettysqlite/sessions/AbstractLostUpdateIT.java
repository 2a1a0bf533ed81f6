package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.NodeHttp;
import io.github.jettysqlite.sessions.support.NodePair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The most reported failure of shared session stores, over HTTP: two Jetty nodes in two JVMs on one database, no
 * session cache, saving on response commit. Each round sends one request to node A that sets attribute {@code a} and
 * one to node B that sets {@code b}, at the same time and held long enough to overlap, then reads both back. Whole-map
 * writes lose one of the two changes in a fifth of the rounds; here no round may lose either.
 */
abstract class AbstractLostUpdateIT {
    private static final int USERS = 8;
    private static final int ROUNDS = Integer.getInteger("lostUpdate.rounds", 40);

    @TempDir
    Path dir;

    /** The database both nodes share: a file in the directory, or a fresh PostgreSQL schema. */
    abstract String newDatabase(Path dir);

    @Test
    void concurrentRequestsOfOneSessionOnTwoNodesBothKeepTheirChange() throws Exception {
        String database = newDatabase(dir);
        HttpClient client = new HttpClient();
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        ExecutorService users = Executors.newFixedThreadPool(USERS);
        try (NodePair nodes = NodePair.start(database)) {
            String a = nodes.a();
            String b = nodes.b();
            client.start();
            AtomicInteger lost = new AtomicInteger();
            AtomicInteger reads = new AtomicInteger();
            List<Future<?>> loops = new ArrayList<>();
            for (int u = 0; u < USERS; u++) {
                loops.add(users.submit(() -> {
                    String id = NodeHttp.get(client, a, null).split(" ")[0];
                    for (int round = 0; round < ROUNDS; round++) {
                        int r = round;
                        CompletableFuture<String> setA = CompletableFuture.supplyAsync(
                                () -> quietly(() -> NodeHttp.get(client, a + "?delay=25&set=a=" + r, id)));
                        CompletableFuture<String> setB = CompletableFuture.supplyAsync(
                                () -> quietly(() -> NodeHttp.get(client, b + "?delay=25&set=b=" + r, id)));
                        assertThat(setA.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
                        assertThat(setB.get(30, TimeUnit.SECONDS)).isEqualTo("ok");
                        String both = NodeHttp.get(client, (r % 2 == 0 ? a : b) + "?get=a,b", id);
                        reads.incrementAndGet();
                        if (!both.equals("a=" + r + " b=" + r)) {
                            lost.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> loop : loops) {
                loop.get(5, TimeUnit.MINUTES);
            }
            long merged = nodes.mergedWrites(client);
            System.out.printf(
                    "lost updates on %s: %d of %d reads lost a change; %d writes merged with a concurrent one%n",
                    getClass().getSimpleName(), lost.get(), reads.get(), merged);
            assertThat(reads.get()).isEqualTo(USERS * ROUNDS);
            assertThat(lost.get()).as("reads that lost one of the two changes").isZero();
            assertThat(merged).as("the rounds really overlapped").isPositive();
        } finally {
            users.shutdownNow();
            client.stop();
        }
    }

    private interface Call {
        String run() throws Exception;
    }

    private static String quietly(Call call) {
        try {
            return call.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
