package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.ChildJvm;
import io.github.jettysqlite.sessions.support.NodeHttp;
import io.github.jettysqlite.sessions.support.NodePair;
import io.github.jettysqlite.sessions.support.NodeServer;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two Jetty nodes in two JVMs on one PostgreSQL server, without sticky sessions: no session cache, so every
 * request reads and writes the shared table, and each step of a session goes to whichever node the test picks.
 */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLClusterIT {
    private String url;
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        url = PostgreSQLServer.get().freshSchemaUrl();
        client = NodeHttp.newClient();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
    }

    @Test
    void sessionCreatedOnOneNodeIsReadUpdatedAndInvalidatedOnTheOther() throws Exception {
        try (NodePair nodes = nodes(1800)) {
            String nodeA = nodes.a();
            String nodeB = nodes.b();

            String id = idOf(get(nodeA, null));
            assertThat(get(nodeB + "?peek", id)).isEqualTo(id + " 1");
            assertThat(get(nodeB, id)).isEqualTo(id + " 2");
            assertThat(get(nodeA + "?peek", id)).isEqualTo(id + " 2");
            // A read saves only its access, when the request lets go of the session, after the answer.
            Waiting.until("node A recorded as the last node", () -> "nodeA".equals(lastNodeQuietly(id)));

            assertThat(get(nodeB + "?invalidate", id)).isEqualTo("invalidated");

            assertThat(rows(id)).isZero();
            String after = get(nodeA + "?peek", id);
            assertThat(idOf(after)).isNotEqualTo(id);
            assertThat(after).endsWith(" 0");
        }
    }

    @Test
    void sessionKeptAliveThroughOneNodeIsNotScavengedByTheOther() throws Exception {
        // Sessions idle for 3 s expire; both nodes scavenge every second with a grace period of one second.
        try (NodePair nodes = nodes(3)) {
            String nodeA = nodes.a();
            String nodeB = nodes.b();
            String id = idOf(get(nodeA, null));

            // Twelve seconds, four times the idle limit, of requests through node A only.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
            while (System.nanoTime() < end) {
                assertThat(get(nodeA + "?peek", id)).isEqualTo(id + " 1");
                assertThat(rows(id)).as("the row while node B scavenges").isEqualTo(1);
                // Time passing is the point: a request every half second keeps the session alive through node A
                // while node B's scavenger runs, so the test shows that those accesses reach node B's view.
                Thread.sleep(500);
            }

            assertThat(get(nodeB + "?peek", id)).isEqualTo(id + " 1");
            assertThat(nodes.nodeB().isAlive()).as("node B").isTrue();
        }
    }

    @Test
    void sessionLeftByAStoppedNodeIsExpiredByTheSurvivor() throws Exception {
        try (ChildJvm b = node("nodeB", 2)) {
            String nodeB = NodeHttp.baseUri(b);
            String id;
            try (ChildJvm a = node("nodeA", 2)) {
                id = idOf(get(NodeHttp.baseUri(a), null));
                assertThat(lastNode(id)).isEqualTo("nodeA");
            }
            // Node A is gone; only node B's scavenger can remove the session once it has expired.
            Waiting.until("node B scavenging the abandoned session", () -> rows(id) == 0);
            assertThat(idOf(get(nodeB + "?peek", id))).isNotEqualTo(id);
        }
    }

    /** Both nodes on the test's schema, their sessions expiring after the given idle seconds. */
    private NodePair nodes(int maxInactiveSec) throws Exception {
        return NodePair.start(NodeServer.class, List.of(), url, timing(maxInactiveSec));
    }

    /** One node on the test's schema, as {@link #nodes} starts each. */
    private ChildJvm node(String name, int maxInactiveSec) throws Exception {
        return NodePair.node(NodeServer.class, List.of(), url, name, timing(maxInactiveSec));
    }

    /** Sessions idle for the given seconds expire; the node scavenges every second, with a grace period of one. */
    private static String[] timing(int maxInactiveSec) {
        return new String[] {String.valueOf(maxInactiveSec), "1", "1"};
    }

    private int rows(String id) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM jetty_sessions WHERE session_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    private String lastNodeQuietly(String id) {
        try {
            return lastNode(id);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String lastNode(String id) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement s = c.prepareStatement("SELECT last_node FROM jetty_sessions WHERE session_id = ?")) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    private static String idOf(String answer) {
        return answer.split(" ")[0];
    }

    private String get(String uri, String sessionId) throws Exception {
        return NodeHttp.get(client, uri, sessionId);
    }
}
