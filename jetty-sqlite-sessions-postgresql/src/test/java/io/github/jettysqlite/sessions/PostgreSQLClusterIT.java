package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two Jetty nodes in two JVMs on one PostgreSQL server, without sticky sessions: no session cache, so every
 * request reads and writes the shared table, and each step of a session goes to whichever node the test picks.
 */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLClusterTest {
    private String url;
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        url = PostgreSQLServer.get().freshSchemaUrl();
        client = new HttpClient();
        // Cookies are per host, not per port: each request carries the session cookie the test gives it.
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
    }

    @Test
    void sessionCreatedOnOneNodeIsReadUpdatedAndInvalidatedOnTheOther() throws Exception {
        try (ChildJvm a = node("nodeA", 1800);
                ChildJvm b = node("nodeB", 1800)) {
            String nodeA = baseUri(a);
            String nodeB = baseUri(b);

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
        try (ChildJvm a = node("nodeA", 3);
                ChildJvm b = node("nodeB", 3)) {
            String nodeA = baseUri(a);
            String nodeB = baseUri(b);
            String id = idOf(get(nodeA, null));

            // Twelve seconds, four times the idle limit, of requests through node A only.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
            while (System.nanoTime() < end) {
                assertThat(get(nodeA + "?peek", id)).isEqualTo(id + " 1");
                assertThat(rows(id)).as("the row while node B scavenges").isEqualTo(1);
                Thread.sleep(500);
            }

            assertThat(get(nodeB + "?peek", id)).isEqualTo(id + " 1");
            assertThat(b.output()).contains("READY");
        }
    }

    @Test
    void sessionLeftByAStoppedNodeIsExpiredByTheSurvivor() throws Exception {
        try (ChildJvm b = node("nodeB", 2)) {
            String nodeB = baseUri(b);
            String id;
            try (ChildJvm a = node("nodeA", 2)) {
                id = idOf(get(baseUri(a), null));
                assertThat(lastNode(id)).isEqualTo("nodeA");
            }
            // Node A is gone; only node B's scavenger can remove the session once it has expired.
            Waiting.until("node B scavenging the abandoned session", () -> rows(id) == 0);
            assertThat(idOf(get(nodeB + "?peek", id))).isNotEqualTo(id);
        }
    }

    /** A node on the test's schema whose sessions expire after the given idle seconds; scavenges every second. */
    private ChildJvm node(String name, int maxInactiveSec) throws Exception {
        return ChildJvm.start(NodeServer.class, url, name, String.valueOf(maxInactiveSec), "1", "1");
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

    private static String baseUri(ChildJvm node) throws InterruptedException {
        String line;
        while ((line = node.nextLine(60, TimeUnit.SECONDS)) != null) {
            if (line.startsWith("READY ")) {
                return "http://127.0.0.1:" + line.substring(6).trim() + "/";
            }
        }
        throw new AssertionError("node did not start:\n" + node.output());
    }

    private String get(String uri, String sessionId) throws Exception {
        var request = client.newRequest(uri).timeout(30, TimeUnit.SECONDS);
        if (sessionId != null) {
            request.headers(h -> h.put(HttpHeader.COOKIE, "JSESSIONID=" + sessionId));
        }
        ContentResponse response = request.send();
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(200);
        return response.getContentAsString();
    }
}
