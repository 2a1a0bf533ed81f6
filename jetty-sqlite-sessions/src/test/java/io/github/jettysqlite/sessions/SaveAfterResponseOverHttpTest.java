package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.support.NodeRequests.statistics;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.NodeRequests;
import io.github.jettysqlite.sessions.support.TestServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.AbstractSessionCacheFactory;
import org.eclipse.jetty.session.DefaultSessionCacheFactory;
import org.eclipse.jetty.session.NullSessionCacheFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A real Jetty server answering Jetty's HttpClient, with each cache saving changes before the response
 * ({@code flushOnResponseCommit}): a request that changes its session writes the row once, although Jetty saves it
 * twice (at the response, and as the request lets go of it); a request that only reads it writes its access once. A
 * trigger on the table counts the rows written.
 */
class SaveAfterResponseOverHttpTest {
    @TempDir
    Path dir;

    private final HttpClient client = new HttpClient();
    private final NodeRequests requests = new NodeRequests(client);
    private Server node;

    static Stream<AbstractSessionCacheFactory> caches() {
        DefaultSessionCacheFactory jettys = new DefaultSessionCacheFactory();
        jettys.setFlushOnResponseCommit(true);
        NullSessionCacheFactory none = new NullSessionCacheFactory();
        none.setFlushOnResponseCommit(true);
        return Stream.of(new CoherentSessionCacheFactory(), jettys, none);
    }

    /**
     * The row's expiry may lag by a hundredth of the timeout (18 s here) rather than a second at most: a request this
     * test sends must not be written as a long one because a loaded machine held it up for a second.
     */
    @BeforeEach
    void raiseTheLagsCap() {
        SessionWriter.maxExpiryLagMs = 3_600_000;
    }

    @AfterEach
    void stop() throws Exception {
        SessionWriter.maxExpiryLagMs = SessionWriter.MAX_EXPIRY_LAG_MS;
        NodeRequests.stopAll(client, node);
    }

    @ParameterizedTest
    @MethodSource("caches")
    void aRequestThatChangesItsSessionWritesItsRowOnce(AbstractSessionCacheFactory cache) throws Exception {
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.start();
        SQLiteFixture table = SQLiteFixture.in(dir);
        node = TestServer.start(table.file(), 0, cache);
        SQLiteSaveAfterResponseTest.countRowWrites(table);

        String id = requests.get(node, "?ttl=1800&set=user=alice", null);
        savesDone(2);
        assertThat(table.count("SELECT n FROM writes"))
                .as("writes of a new session")
                .isEqualTo(1);

        requests.get(node, "?set=cart=book", id);
        savesDone(4);
        assertThat(table.count("SELECT n FROM writes"))
                .as("writes of a changed session")
                .isEqualTo(2);

        assertThat(requests.get(node, "?get=cart", id)).isEqualTo("book");
        savesDone(5);
        assertThat(table.count("SELECT n FROM writes"))
                .as("writes of a session read")
                .isEqualTo(3);
        assertThat(statistics(node).getStoresSkipped()).isEqualTo(2);
    }

    /** Waits until Jetty has asked the store to save this many times (its save as a request lets go comes late). */
    private void savesDone(long saves) throws Exception {
        Waiting.until(saves + " saves", () -> statistics(node).getStoreCount() >= saves);
        assertThat(statistics(node).getStoreCount()).isEqualTo(saves);
    }
}
