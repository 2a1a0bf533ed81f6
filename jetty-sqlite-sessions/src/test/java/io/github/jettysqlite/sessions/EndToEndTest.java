package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.TestServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Jetty server with two ee10 contexts and this store, driven over HTTP by Jetty's HttpClient. */
class EndToEndTest {
    @TempDir
    Path dir;

    private Path file;
    private Server server;
    private HttpClient client;

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("sessions.db");
        client = new HttpClient();
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void sessionAndAttributesSurviveARestartOfTheServer() throws Exception {
        server = startServer(0);
        String id = get("/a/?set=user=alice");
        get("/a/?set=cart=book,pen");
        int port = port();
        server.stop();

        server = startServer(port);

        assertThat(get("/a/?get=user")).isEqualTo("alice");
        assertThat(get("/a/?get=cart")).isEqualTo("book,pen");
        assertThat(get("/a/")).isEqualTo(id);
    }

    @Test
    void twoContextsOnOneFileKeepTheirSessionsApart() throws Exception {
        server = startServer(0);
        String id = get("/a/?set=user=alice");

        // Present /a's session id to /b: Jetty may reuse the id, but /b must not see /a's attributes.
        ContentResponse fromB = client.newRequest("http://127.0.0.1:" + port() + "/b/?get=user")
                .headers(h -> h.put(HttpHeader.COOKIE, "JSESSIONID=" + id + ".node0"))
                .send();
        assertThat(fromB.getContentAsString()).isEqualTo("null");
        client.newRequest("http://127.0.0.1:" + port() + "/b/?set=user=bob")
                .headers(h -> h.put(HttpHeader.COOKIE, "JSESSIONID=" + id + ".node0"))
                .send();

        assertThat(get("/a/?get=user")).isEqualTo("alice");
        // Jetty canonicalizes "/a" to "_a"
        awaitRows(
                List.of(List.of("_a"), List.of("_b")),
                "SELECT context_path FROM jetty_sessions WHERE session_id = ? ORDER BY context_path",
                id);
    }

    /**
     * Waits for the file to show the rows. Jetty 12.0 saves a session after the response has gone out, so a row can
     * land a moment after the client has its answer.
     */
    private void awaitRows(List<List<Object>> expected, String sql, Object... params) throws Exception {
        Waiting.until(
                "rows " + expected + " for " + sql, () -> query(sql, params).equals(expected));
    }

    @Test
    void scavengerRemovesAnExpiredSessionFromTheFile() throws Exception {
        server = startServer(0);
        String id = get("/a/?ttl=1&set=user=alice");
        awaitRows(List.of(List.of(1)), "SELECT count(*) FROM jetty_sessions WHERE session_id = ?", id);

        awaitRows(List.of(List.of(0)), "SELECT count(*) FROM jetty_sessions WHERE session_id = ?", id);
    }

    @Test
    void scavengerRemovesAnExpiredSessionLeftByAnEarlierServer() throws Exception {
        server = startServer(0);
        String id = get("/a/?ttl=1&set=user=alice");
        server.stop();
        // Time passes on purpose: the session's second runs out while no server is up, so that only the scavenger of
        // the next server can find it; a longer pause under load leaves it just as expired.
        Thread.sleep(1_100);

        server = startServer(0);

        awaitRows(List.of(List.of(0)), "SELECT count(*) FROM jetty_sessions WHERE session_id = ?", id);
    }

    private Server startServer(int port) throws Exception {
        return TestServer.start(file, port);
    }

    private int port() {
        return TestServer.port(server);
    }

    private String get(String pathAndQuery) throws Exception {
        ContentResponse response = client.GET("http://127.0.0.1:" + port() + pathAndQuery);
        assertThat(response.getStatus()).isEqualTo(200);
        return response.getContentAsString();
    }

    private List<List<Object>> query(String sql, Object... params) throws Exception {
        return new SQLiteFixture(file).query(sql, params);
    }
}
