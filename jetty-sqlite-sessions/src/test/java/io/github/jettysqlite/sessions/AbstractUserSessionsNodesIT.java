package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.LoginNodeServer;
import io.github.jettysqlite.sessions.support.NodeHttp;
import io.github.jettysqlite.sessions.support.NodePair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.FormRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding and ending a user's sessions over HTTP: two Jetty JVMs ({@link LoginNodeServer}) on one database, Jetty's
 * FORM login, the coherent cache, and the application ending sessions through {@link UserSessions}. A session ended
 * on one node is gone on both at their next request, and the session listeners see each ended session once.
 */
abstract class AbstractUserSessionsNodesIT {
    @TempDir
    Path dir;

    private NodePair nodes;
    private String a;
    private String b;
    private HttpClient client;

    /** A database for two nodes to share: a file in the directory, or a fresh PostgreSQL schema. */
    abstract String newDatabase(Path dir);

    @BeforeEach
    void start() throws Exception {
        String database = newDatabase(dir);
        nodes = NodePair.start(LoginNodeServer.class, List.of(), database);
        a = nodes.a();
        b = nodes.b();
        client = NodeHttp.newClient();
        client.setFollowRedirects(false);
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
        nodes.close();
    }

    @Test
    void endingAUsersSessionsOnOneNodeLogsThemOutOnBoth() throws Exception {
        String laptop = login(a, "alice");
        String phone = login(b, "alice");
        String bobs = login(b, "bob");
        assertThat(whoami(b, laptop)).as("a login on A holds on B").isEqualTo("alice");
        assertThat(whoami(a, phone)).isEqualTo("alice");
        assertThat(get(a + "app/sessions", laptop).lines()).containsExactlyInAnyOrder(plain(laptop), plain(phone));

        assertThat(get(a + "app/end-others", laptop)).isEqualTo("1");

        assertThat(whoami(b, phone)).as("the phone on the node that held it").isNull();
        assertThat(whoami(a, phone)).as("the phone on the node that ended it").isNull();
        assertThat(whoami(b, laptop)).as("the session kept").isEqualTo("alice");
        assertThat(whoami(a, laptop)).isEqualTo("alice");

        assertThat(get(b + "app/end-all", laptop)).isEqualTo("1");

        assertThat(whoami(a, laptop)).isNull();
        assertThat(whoami(b, laptop)).isNull();
        assertThat(whoami(a, bobs)).as("another user's session").isEqualTo("bob");
        List<String> destroyed =
                new ArrayList<>(get(a + "destroyed", null).lines().toList());
        destroyed.addAll(get(b + "destroyed", null).lines().toList());
        assertThat(destroyed)
                .as("each ended session destroyed once, on whichever node ended it")
                .containsOnlyOnce(plain(laptop), plain(phone))
                .doesNotContain(plain(bobs));
    }

    /**
     * Logs in as a new device: the login page, the form posted to Jetty's FORM authenticator, and the session id it
     * leaves the user with (renewed at login), as the cookie's value.
     */
    private String login(String node, String user) throws Exception {
        NodeHttp.Reply challenge = NodeHttp.exchange(client, node + "app/whoami", null);
        assertThat(challenge.status()).as(challenge.body()).isEqualTo(302);
        String before = cookieValue(challenge.setCookie());
        Fields form = new Fields();
        form.put("j_username", user);
        form.put("j_password", "secret");
        ContentResponse posted = client.POST(node + "j_security_check")
                .headers(h -> h.put(HttpHeader.COOKIE, "JSESSIONID=" + before))
                .body(new FormRequestContent(form))
                .timeout(30, TimeUnit.SECONDS)
                .send();
        assertThat(posted.getStatus())
                .as("a redirect: " + posted.getContentAsString())
                .isIn(302, 303);
        assertThat(posted.getHeaders().get(HttpHeader.LOCATION)).doesNotContain("error");
        String renewed = posted.getHeaders().get(HttpHeader.SET_COOKIE);
        String session = renewed == null ? before : cookieValue(renewed);
        assertThat(whoami(node, session)).isEqualTo(user);
        return session;
    }

    /** Who the session is logged in as on that node; null when the node sends it to the login page. */
    private String whoami(String node, String session) throws Exception {
        NodeHttp.Reply reply = NodeHttp.exchange(client, node + "app/whoami", session);
        if (reply.status() == 302) {
            return null;
        }
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.body().split(" ")[0];
    }

    private String get(String uri, String session) throws Exception {
        return NodeHttp.get(client, uri, session);
    }

    private static String cookieValue(String setCookie) {
        assertThat(setCookie).contains("JSESSIONID=");
        String value = setCookie.substring(setCookie.indexOf("JSESSIONID=") + "JSESSIONID=".length());
        int end = value.indexOf(';');
        return end < 0 ? value : value.substring(0, end);
    }

    /** The session id without the node's name Jetty appends to the cookie's value. */
    private static String plain(String cookieValue) {
        int dot = cookieValue.indexOf('.');
        return dot < 0 ? cookieValue : cookieValue.substring(0, dot);
    }
}
