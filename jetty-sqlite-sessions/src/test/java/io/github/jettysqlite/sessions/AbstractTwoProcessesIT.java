package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.NodeHttp;
import io.github.jettysqlite.sessions.support.NodePair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Jetty nodes in two JVMs on one database (an SQLite file, or a PostgreSQL server), no session cache,
 * concurrent load for a fixed time: each session's requests alternate between the nodes, and every increment must
 * be in the final count.
 */
abstract class AbstractTwoProcessesIT {
    private static final int SESSIONS = 8;
    private static final long LOAD_MILLIS = Long.getLong("twoProcesses.millis", 8_000);

    @TempDir
    Path dir;

    /** The database both nodes share: a file in the directory, or a fresh PostgreSQL schema. */
    abstract String newDatabase(Path dir);

    @Test
    void sessionsMoveBetweenNodesWithoutLostUpdatesOrLockErrors() throws Exception {
        String database = newDatabase(dir);
        HttpClient client = new HttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
        try (NodePair pair = NodePair.start(database)) {
            String[] nodes = {pair.a(), pair.b()};
            // Cookies are per host, not per port: each loop sends its own session cookie and nothing else.
            client.setHttpCookieStore(new HttpCookieStore.Empty());
            client.start();
            AtomicLong served = new AtomicLong();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOAD_MILLIS);
            List<Future<long[]>> loops = new ArrayList<>();
            for (int s = 0; s < SESSIONS; s++) {
                int first = s % 2;
                loops.add(pool.submit(() -> {
                    String id = NodeHttp.get(client, nodes[first], null).split(" ")[0];
                    long increments = 1;
                    for (int i = 1; System.nanoTime() < deadline; i++) {
                        String answer = NodeHttp.get(client, nodes[(first + i) % 2], id);
                        assertThat(answer).isEqualTo(id + " " + (increments + 1));
                        increments++;
                        served.incrementAndGet();
                    }
                    String peek = NodeHttp.get(client, nodes[(first + 1) % 2] + "?peek", id);
                    return new long[] {increments, Long.parseLong(peek.split(" ")[1])};
                }));
            }
            for (Future<long[]> loop : loops) {
                long[] result = loop.get(LOAD_MILLIS + 60_000, TimeUnit.MILLISECONDS);
                assertThat(result[1]).as("count seen by the other node").isEqualTo(result[0]);
            }
            System.out.printf(
                    "two processes: %d requests served across %d sessions%n", served.get() + 2L * SESSIONS, SESSIONS);
            assertThat(served.get()).isGreaterThan(SESSIONS * 10L);
            assertThat(pair.nodeA().output() + pair.nodeB().output())
                    .doesNotContain("SQLITE_BUSY")
                    .doesNotContain("database is locked")
                    .doesNotContain("Session database");
        } finally {
            pool.shutdownNow();
            client.stop();
        }
    }
}
