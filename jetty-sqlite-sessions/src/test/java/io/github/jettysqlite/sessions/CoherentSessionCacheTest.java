package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.support.NodeRequests.contextOf;
import static io.github.jettysqlite.sessions.support.NodeRequests.statistics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.support.NodeRequests;
import io.github.jettysqlite.sessions.support.TestServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.DefaultSessionCacheFactory;
import org.eclipse.jetty.session.NullSessionDataStoreFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real Jetty servers on one SQLite file, each with a {@link CoherentSessionCache}, answering Jetty's HttpClient:
 * what one node does to a session, the other's cached copy follows at its next request. The same steps with Jetty's
 * {@code DefaultSessionCache} show the stale copy this cache exists to prevent. (Two JVMs: {@code
 * SQLiteCoherentCacheNodesIT}; a change taken into a copy a request holds, on each engine: {@link
 * AbstractHeldSessionRefreshTest}.)
 */
class CoherentSessionCacheTest {
    @TempDir
    Path dir;

    private final HttpClient client = new HttpClient();
    private final NodeRequests requests = new NodeRequests(client);
    private Server nodeA;
    private Server nodeB;

    @BeforeEach
    void startClient() throws Exception {
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        NodeRequests.stopAll(client, nodeA, nodeB);
    }

    private void startNodes(Object cacheFactoryA, Object cacheFactoryB) throws Exception {
        nodeA = TestServer.start(dir.resolve("sessions.db"), 0, cacheFactoryA);
        nodeB = TestServer.start(dir.resolve("sessions.db"), 0, cacheFactoryB);
    }

    private void startCoherentNodes() throws Exception {
        startNodes(new CoherentSessionCacheFactory(), new CoherentSessionCacheFactory());
    }

    @Test
    void attributeSetOnOneNodeIsSeenAtTheOthersNextRequest() throws Exception {
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        assertThat(get(nodeA, "?get=user", id)).isEqualTo("alice");

        get(nodeB, "?set=user=bob", id);

        assertThat(get(nodeA, "?get=user", id)).isEqualTo("bob");
        assertThat(statistics(nodeA).getCacheReloads()).isEqualTo(1);
    }

    @Test
    void aSessionOnlyThisNodeChangesIsCheckedWithoutReadingItsRow() throws Exception {
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        for (int attempt = 1; ; attempt++) {
            // This check reads the row (a creation leaves the copy untrusted, and so does a trust run out) and trusts
            // the copy; the write that follows asks for a mark and carries that trust over.
            statistics(nodeA).reset();
            long rowReadFrom = System.nanoTime();
            get(nodeA, "?set=cart=book" + attempt, id);
            boolean trustIsFromThisRead = statistics(nodeA).getCacheChecks() == 1;
            statistics(nodeA).reset();

            assertThat(get(nodeA, "?get=cart", id)).isEqualTo("book" + attempt);

            if (trustIsFromThisRead
                    && TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rowReadFrom) < CachedCopyCheck.TRUST_MS) {
                assertThat(statistics(nodeA).getCacheChecksSignalled()).isEqualTo(1);
                assertThat(statistics(nodeA).getCacheChecks()).isZero();
                return;
            }
            // A pause longer than a copy's trust came in between (a loaded machine), or the first request used an
            // older trust: what the second check did then shows nothing. Try again.
            Assumptions.assumeTrue(attempt < 5, "five attempts each took longer than a copy's trust");
        }
    }

    @Test
    void logoutOnOneNodeEndsTheSessionOnTheOtherAtItsNextRequest() throws Exception {
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        assertThat(get(nodeA, "?get=user", id)).isEqualTo("alice");

        assertThat(get(nodeB, "?invalidate", id)).isEqualTo("invalidated");

        assertThat(get(nodeA, "?get=user", id))
                .as("the old cookie gets a new, empty session")
                .isEqualTo("null");
        assertThat(statistics(nodeA).getCacheDrops()).isEqualTo(1);
    }

    @Test
    void withJettysDefaultCacheTheOtherNodeKeepsServingTheEndedSession() throws Exception {
        startNodes(new DefaultSessionCacheFactory(), new DefaultSessionCacheFactory());
        String id = get(nodeA, "?set=user=alice", null);
        assertThat(get(nodeA, "?get=user", id)).isEqualTo("alice");

        assertThat(get(nodeB, "?invalidate", id)).isEqualTo("invalidated");

        assertThat(get(nodeA, "?get=user", id))
                .as("Jetty's behaviour, documented in README")
                .isEqualTo("alice");
    }

    @Test
    void timeoutSetOnOneNodeIsTakenInAndNeverUndoneByTheOther() throws Exception {
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        get(nodeA, "?get=user", id);

        get(nodeB, "?ttl=28800", id);
        get(nodeA, "?get=user", id);
        get(nodeA, "?set=cart=book", id);

        try (SQLiteFixture table = SQLiteFixture.in(dir)) {
            assertThat(table.query("SELECT max_inactive_ms FROM jetty_sessions WHERE session_id = ?", id))
                    .singleElement()
                    .isEqualTo(java.util.List.of(28_800_000));
        }
        assertThat(statistics(nodeA).getCacheMetadataTaken()).isPositive();
    }

    @Test
    void aStoreThatFindsTheRowGoneDropsTheCachedCopy() throws Exception {
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        var cache = contextOf(nodeA).getSessionHandler().getSessionCache();

        // The row goes after this request's check, while it holds the session; its save then finds it gone.
        get(nodeA, "?vanish&set=cart=book", id);
        Waiting.until("the cached copy dropped", () -> !cached(cache, id));

        assertThat(statistics(nodeA).getStoresOfDeletedSessions()).isPositive();
        assertThat(get(nodeA, "?get=user", id)).isEqualTo("null");
    }

    @Test
    void refusesToStartOverAStoreThatIsNotASessionTable() {
        assertThatThrownBy(() -> TestServer.startWithStore(
                        0, new NullSessionDataStoreFactory(), new CoherentSessionCacheFactory()))
                .hasStackTraceContaining("CoherentSessionCache checks cached sessions against a jetty-sqlite-sessions");
    }

    private static boolean cached(org.eclipse.jetty.session.SessionCache cache, String id) {
        try {
            return cache.contains(id);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String get(Server node, String query, String sessionId) throws Exception {
        return requests.get(node, query, sessionId);
    }
}
