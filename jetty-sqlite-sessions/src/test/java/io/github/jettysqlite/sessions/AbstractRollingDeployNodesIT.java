package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.ChildJvm;
import io.github.jettysqlite.sessions.support.NodeHttp;
import io.github.jettysqlite.sessions.support.NodePair;
import io.github.jettysqlite.sessions.support.NodeServer;
import io.github.jettysqlite.sessions.support.WebappClasses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling deploy over HTTP: two Jetty nodes in two JVMs on one database, node v2 running a newer webapp whose class
 * loader has a class ({@code shop.Cart}) that node v1's lacks, and a user's requests going to either node. An
 * attribute only v2 can load does not cost the user the session on v1: v1 serves the same session, under the same
 * id, without that attribute, and keeps the attribute's stored bytes through its own writes and its renewal of the
 * session id, so that v2 still finds it. What v1 does on purpose still counts: an attribute it removes is gone, and a
 * session it ends is ended on v2 as well.
 *
 * <p>Starting JVMs is what takes time, so the tests share one pair of nodes per cache (each test with a session of
 * its own), started by the first test that needs it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractRollingDeployNodesIT {
    private static final String COHERENT = "coherent";
    private static final String JETTY_DEFAULT = "default";

    /** One directory for the whole class, since the shared nodes' databases outlive each test. */
    @TempDir
    static Path dir;

    /** The newer webapp's own classes: {@code shop.Cart}, on no class path of the test or of the nodes. */
    private Path webappClasses;

    private final Map<String, NodePair> pairs = new HashMap<>();
    private HttpClient client;

    /** A database for two nodes to share: a file in the directory, or a fresh PostgreSQL schema. */
    abstract String newDatabase(Path dir);

    @BeforeAll
    void compileTheNewerWebappsClass() throws Exception {
        webappClasses = WebappClasses.compileCart(dir.resolve("v2"), 1L);
    }

    @BeforeEach
    void start() throws Exception {
        client = NodeHttp.newClient();
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

    @Test
    void anAttributeOnlyTheNewVersionCanLoadIsKeptWhileTheOldVersionServesTheSession() throws Exception {
        Nodes nodes = nodes(COHERENT);
        String id = aliceWithACartFromV2(nodes);

        assertThat(onV1(nodes, "?get=user,cart", id)).isEqualTo("user=alice cart=null");
        assertThat(onV1(nodes, "?set=color=red", id)).isEqualTo("ok");

        assertThat(NodeHttp.get(client, nodes.v2() + "?get=user,cart,color", id))
                .isEqualTo("user=alice cart=Cart[book] color=red");
    }

    /**
     * Jetty's own cache never reloads a session it holds, so v1 must meet this session first after v2 put the cart in
     * it, or v1 would answer from its memory without reading the row at all.
     */
    @Test
    void withJettysDefaultCacheTheOldVersionServesASessionHoldingAnAttributeItCannotLoad() throws Exception {
        Nodes nodes = nodes(JETTY_DEFAULT);
        String id = idOf(NodeHttp.get(client, nodes.v2() + "?whoami", null));
        assertThat(NodeHttp.get(client, nodes.v2() + "?login=alice", id)).isEqualTo("ok");
        assertThat(NodeHttp.get(client, nodes.v2() + "?cart=book", id)).isEqualTo("ok");

        assertThat(onV1(nodes, "?get=user,cart", id)).isEqualTo("user=alice cart=null");
        assertThat(onV1(nodes, "?set=color=red", id)).isEqualTo("ok");
        assertThat(onV1(nodes, "?get=user,color", id)).isEqualTo("user=alice color=red");

        // v2 answers from its own memory here, which Jetty's cache never refreshes: what the row keeps through v1's
        // writes is the coherent cache's tests' to show.
        assertThat(NodeHttp.get(client, nodes.v2() + "?get=user,cart", id)).isEqualTo("user=alice cart=Cart[book]");
    }

    @Test
    void aRenewalOnTheOldVersionKeepsTheAttributeItCannotLoad() throws Exception {
        Nodes nodes = nodes(COHERENT);
        String id = aliceWithACartFromV2(nodes);

        String renewed = onV1(nodes, "?renew", id);
        assertThat(renewed)
                .as("the id v1 gave the session (none: v1 found no session %s)", id)
                .isNotEqualTo("none")
                .isNotEqualTo(id);

        assertThat(NodeHttp.get(client, nodes.v2() + "?get=user,cart", renewed))
                .isEqualTo("user=alice cart=Cart[book]");
        assertNoSession(nodes.v2(), id);
        assertNoSession(nodes.v1(), id);
    }

    @Test
    void anAttributeTheOldVersionRemovesIsGoneOnEveryNode() throws Exception {
        Nodes nodes = nodes(COHERENT);
        String id = aliceWithACartFromV2(nodes);

        assertThat(onV1(nodes, "?remove=cart", id))
                .as("v1 removing the cart (none: v1 found no session %s)", id)
                .isEqualTo("ok");

        assertThat(NodeHttp.get(client, nodes.v2() + "?get=user,cart", id)).isEqualTo("user=alice cart=null");
    }

    @Test
    void aLogoutOnTheOldVersionEndsTheSessionEverywhere() throws Exception {
        Nodes nodes = nodes(COHERENT);
        String id = aliceWithACartFromV2(nodes);

        assertThat(onV1(nodes, "?invalidate", id))
                .as("v1 ending the session (none: v1 found no session %s)", id)
                .isEqualTo("invalidated");

        assertNoSession(nodes.v2(), id);
    }

    /**
     * A session that v1 made and v2 then put a {@code shop.Cart} in: alice logs in on v1, the old version, and the
     * newer version's first request of hers adds to her cart.
     *
     * @return the session's id
     */
    private String aliceWithACartFromV2(Nodes nodes) throws Exception {
        String id = idOf(NodeHttp.get(client, nodes.v1() + "?whoami", null));
        assertThat(NodeHttp.get(client, nodes.v1() + "?login=alice", id)).isEqualTo("ok");
        assertThat(NodeHttp.get(client, nodes.v1() + "?whoami", id)).isEqualTo(id + " alice");
        assertThat(NodeHttp.get(client, nodes.v2() + "?cart=book", id)).isEqualTo("ok");
        assertThat(NodeHttp.get(client, nodes.v2() + "?get=cart", id)).isEqualTo("cart=Cart[book]");
        return id;
    }

    /**
     * A request of the session to v1, which must answer it in that very session: 200, and no cookie naming another
     * session, which would mean v1 had given up the user's session and started a new one.
     */
    private String onV1(Nodes nodes, String query, String id) throws Exception {
        NodeHttp.Reply reply = NodeHttp.exchange(client, nodes.v1() + query, id);
        assertThat(reply.status())
                .as("v1's status for %s, answering %s", query, reply.body())
                .isEqualTo(200);
        if (reply.setCookie() != null && !query.equals("?renew")) {
            assertThat(reply.setCookie())
                    .as("v1 answered %s with \"%s\" in a new session instead of %s", query, reply.body(), id)
                    .contains("JSESSIONID=" + clusterIdOf(id));
        }
        return reply.body();
    }

    /** The node has no session of that id: the cookie gets a new, anonymous one. */
    private void assertNoSession(String node, String id) throws Exception {
        String answer = NodeHttp.get(client, node + "?whoami", id);
        assertThat(clusterIdOf(idOf(answer)))
                .as("the session for the cookie %s", id)
                .isNotEqualTo(clusterIdOf(id));
        assertThat(answer).endsWith(" anonymous");
    }

    /**
     * v1 and v2 with the given cache, on a database of their own, started by the first test that asks; v2 alone with
     * the newer webapp's classes.
     */
    private Nodes nodes(String cache) throws Exception {
        NodePair pair = pairs.get(cache);
        if (pair == null) {
            String database = newDatabase(Files.createDirectories(dir.resolve(cache)));
            String cacheOption = "-D" + NodeServer.CACHE + "=" + cache;
            String classesOption = "-D" + NodeServer.WEBAPP_CLASSES + "=" + webappClasses;
            // NodePair starts both nodes alike; these differ in the webapp, so each starts on its own, and neither
            // JVM may outlive a failure to start the other.
            ChildJvm v1 = NodePair.node(NodeServer.class, List.of(cacheOption), database, "v1");
            ChildJvm v2 = null;
            try {
                v2 = NodePair.node(NodeServer.class, List.of(cacheOption, classesOption), database, "v2");
                pair = new NodePair(v1, v2, NodeHttp.baseUri(v1), NodeHttp.baseUri(v2));
            } finally {
                if (pair == null) {
                    try {
                        v1.close();
                    } finally {
                        if (v2 != null) {
                            v2.close();
                        }
                    }
                }
            }
            pairs.put(cache, pair);
        }
        return new Nodes(pair.a(), pair.b());
    }

    /** Where the old version (v1) and the new one (v2) listen. */
    private record Nodes(String v1, String v2) {}

    private static String idOf(String answer) {
        return answer.split(" ")[0];
    }

    /** The id without the node's name Jetty appends to it in the cookie ({@code <id>.<node>}). */
    private static String clusterIdOf(String id) {
        int dot = id.indexOf('.');
        return dot < 0 ? id : id.substring(0, dot);
    }
}
