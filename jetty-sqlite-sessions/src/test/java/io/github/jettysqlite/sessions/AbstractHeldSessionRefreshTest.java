package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.support.NodeRequests.statistics;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.ActivationProbe;
import io.github.jettysqlite.sessions.support.NodeRequests;
import io.github.jettysqlite.sessions.support.TestServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real Jetty servers on one database, each with a {@link CoherentSessionCache}, answering Jetty's HttpClient:
 * while a request on node A holds a session, node B changes it, and node A's next request finds the row's attributes
 * taken into the copy it holds, activated as a load's would be (or, when that activation fails, the copy dropped and
 * the session loaded afresh). Each engine signals the change its own way, so each runs these steps.
 */
abstract class AbstractHeldSessionRefreshTest {
    @TempDir
    Path dir;

    private final HttpClient client = new HttpClient();
    private final NodeRequests requests = new NodeRequests(client);
    private Server nodeA;
    private Server nodeB;

    /** A database for both nodes to share: a file in the directory, or a fresh PostgreSQL schema. */
    abstract String newDatabase(Path dir);

    /** A started {@link TestServer} on the database, keeping sessions in a cache the given factory makes. */
    abstract Server startNode(String database, CoherentSessionCacheFactory cacheFactory) throws Exception;

    @BeforeEach
    void startNodes() throws Exception {
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.start();
        String database = newDatabase(dir);
        nodeA = startNode(database, new CoherentSessionCacheFactory());
        nodeB = startNode(database, new CoherentSessionCacheFactory());
    }

    @AfterEach
    void stopAll() throws Exception {
        NodeRequests.stopAll(client, nodeA, nodeB);
    }

    @Test
    void attributesTakenInWhileARequestHoldsTheSessionAreActivatedAsALoadsAre() throws Exception {
        String id = get(nodeA, "?probe=probe=one", null);
        assertThat(get(nodeA, "?get=probe", id)).isEqualTo("one ready");
        String served = get(nodeA, "?identity", id);

        whileNodeAHolds(id, () -> {
            get(nodeB, "?probe=probe=two", id);

            // Node A's copy is held by the request above: the check brings the row's attributes into it where it is.
            assertThat(get(nodeA, "?get=probe", id)).isEqualTo("two ready");
            assertThat(get(nodeA, "?identity", id))
                    .as("the same session object")
                    .isEqualTo(served);
        });
        assertThat(statistics(nodeA).getCacheReloads()).isEqualTo(1);
    }

    @Test
    void aCopyWhoseActivationFailsAfterARefreshIsDroppedAndLoadedAfresh() throws Exception {
        String id = get(nodeA, "?probe=probe=one", null);
        String served = get(nodeA, "?identity", id);

        whileNodeAHolds(id, () -> {
            get(nodeB, "?probe=probe=two", id);
            ActivationProbe.failNextActivation();

            // Activating the refreshed attributes fails: the copy is dropped and the session read from its row again
            // (a load Jetty 12.1 activates, and 12.0 does not).
            assertThat(get(nodeA, "?get=probe", id)).startsWith("two ");
            assertThat(get(nodeA, "?identity", id)).as("a new session object").isNotEqualTo(served);
        });
    }

    @Test
    void anAttributeARequestHoldsAndChangesInPlaceAfterARefreshIsStillSaved() throws Exception {
        String id = get(nodeA, "?list=cart=apple", null);

        whileNodeAHolds(id, "?hold&append=cart=pen", () -> {
            get(nodeB, "?set=theme=dark", id);
            // Node A takes node B's change into the copy the holding request has: the theme, and the cart it holds.
            assertThat(get(nodeA, "?get=theme", id)).isEqualTo("dark");
        });

        // The holding request added to the cart object it took before the refresh, and saved that in place. Jetty
        // saves as the request lets go of the session, which may be after its answer reached the client.
        Waiting.until("node B finds the cart the holding request saved", () -> get(nodeB, "?get=cart", id)
                .equals("[apple, pen]"));
        assertThat(get(nodeA, "?get=cart", id)).isEqualTo("[apple, pen]");
        assertThat(get(nodeA, "?get=theme", id)).isEqualTo("dark");
    }

    /** Runs the steps while a request on node A holds the session, then lets that request end as usual. */
    private void whileNodeAHolds(String id, Steps steps) throws Exception {
        whileNodeAHolds(id, "?hold", steps);
    }

    /** As above, with the holding request's query (which holds the session by its ?hold). */
    private void whileNodeAHolds(String id, String holdingQuery, Steps steps) throws Exception {
        TestServer.prepareHold();
        CompletableFuture<String> holding = CompletableFuture.supplyAsync(() -> {
            try {
                return get(nodeA, holdingQuery, id);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        try {
            assertThat(TestServer.awaitHeld(holding::isDone))
                    .as("the request holds the session")
                    .isTrue();
            steps.run();
        } finally {
            TestServer.releaseHeld();
        }
        assertThat(holding.join()).isEqualTo(id);
    }

    @FunctionalInterface
    private interface Steps {
        void run() throws Exception;
    }

    private String get(Server node, String query, String sessionId) throws Exception {
        return requests.get(node, query, sessionId);
    }
}
