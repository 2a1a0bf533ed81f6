package io.github.jettysqlite.examples.boot3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.FormRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two instances of the application on one SQLite file, as two nodes behind a load balancer would be (two application
 * contexts in this JVM, each with its own Jetty server, port and session cache), with Spring Security's form login
 * and {@code maximumSessions(1)}: a user's login on one node ends their session on the other, and the jettysessions
 * endpoint lists the session left and ends it.
 */
class OneSessionPerUserTest {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" type=\"hidden\" value=\"([^\"]+)\"");

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    private String nodeA;
    private String nodeB;

    @BeforeEach
    void startTwoNodes() {
        nodeA = start(dir.resolve("boot.db"));
        nodeB = start(dir.resolve("boot.db"));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void aLoginOnOneNodeEndsTheUsersSessionOnTheOtherAndTheEndpointEndsTheLast() throws Exception {
        HttpClient laptop = client();
        HttpClient phone = client();
        HttpClient operator = client();

        login(laptop, nodeA, "alice");
        assertThat(whoAmI(laptop, nodeA)).isEqualTo("alice");
        String laptopSession = SessionsApplicationTest.sessionId(laptop);

        login(phone, nodeB, "alice");
        assertThat(whoAmI(phone, nodeB)).isEqualTo("alice");
        String phoneSession = SessionsApplicationTest.sessionId(phone);

        assertThat(phoneSession).isNotEqualTo(laptopSession);
        assertThat(whoAmI(laptop, nodeA))
                .as("the laptop's session, on the other node, ended with the phone's login")
                .isNull();

        JsonNode listed = endpoint(operator, HttpMethod.GET, nodeA, "?principal=alice");
        assertThat(listed.get("principal").asText()).isEqualTo("alice");
        assertThat(listed.get("sessions")).hasSize(1);
        JsonNode remaining = listed.get("sessions").get(0);
        assertThat(remaining.get("id").asText()).isEqualTo(phoneSession);
        assertThat(remaining.get("principal").asText()).isEqualTo("alice");
        assertThat(endpoint(operator, HttpMethod.GET, nodeB, "/" + phoneSession)
                        .get("id")
                        .asText())
                .isEqualTo(phoneSession);

        // Ended through node A, though node B serves it.
        endpoint(operator, HttpMethod.DELETE, nodeA, "/" + phoneSession);

        assertThat(whoAmI(phone, nodeB)).as("logged out by the endpoint").isNull();
        assertThat(endpoint(operator, HttpMethod.GET, nodeB, "?principal=alice").get("sessions"))
                .isEmpty();
    }

    @Test
    void theEndpointEndsEveryOneOfAUsersSessions() throws Exception {
        HttpClient browser = client();
        HttpClient operator = client();
        login(browser, nodeA, "alice");
        assertThat(whoAmI(browser, nodeB)).as("one session, both nodes").isEqualTo("alice");

        JsonNode ended = endpoint(operator, HttpMethod.DELETE, nodeB, "?principal=alice");

        assertThat(ended.get("ended").asInt()).isEqualTo(1);
        assertThat(whoAmI(browser, nodeA)).isNull();
    }

    @Test
    void theEndpointIsForAdminsOnly() throws Exception {
        HttpClient browser = client();
        ContentResponse anonymous = browser.newRequest(nodeA + "/actuator/jettysessions?principal=alice")
                .send();
        assertThat(anonymous.getStatus()).isEqualTo(401);
        ContentResponse asAlice = browser.newRequest(nodeA + "/actuator/jettysessions?principal=alice")
                .headers(headers -> headers.put(HttpHeader.AUTHORIZATION, basic("alice")))
                .send();
        assertThat(asAlice.getStatus()).isEqualTo(403);
    }

    /** The application on a port of its own, on the shared file. */
    private String start(Path database) {
        ConfigurableApplicationContext app = new SpringApplicationBuilder(SessionsApplication.class)
                .run("--server.address=127.0.0.1", "--server.port=0", "--jetty.sessions.sqlite.file=" + database);
        open.add(app);
        return "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
    }

    /** A browser of its own: its own cookies. */
    private HttpClient client() throws Exception {
        HttpClient client = new HttpClient();
        client.setFollowRedirects(false);
        client.start();
        open.add(client::stop);
        return client;
    }

    /** Spring Security's login form, filled in as a browser would: the CSRF token from the page, then the post. */
    private static void login(HttpClient browser, String node, String user) throws Exception {
        ContentResponse page = asBrowser(browser.newRequest(node + "/login")).send();
        Matcher token = CSRF.matcher(page.getContentAsString());
        assertThat(token.find()).as(page.getContentAsString()).isTrue();
        Fields form = new Fields();
        form.put("username", user);
        form.put("password", user);
        form.put("_csrf", token.group(1));
        ContentResponse posted = asBrowser(browser.newRequest(node + "/login"))
                .method(HttpMethod.POST)
                .body(new FormRequestContent(form))
                .send();
        assertThat(posted.getStatus()).isEqualTo(302);
        assertThat(posted.getHeaders().get(HttpHeader.LOCATION)).doesNotContain("error");
    }

    /** Who {@code /me} says is logged in; null when it sends the browser to the login page instead. */
    private static String whoAmI(HttpClient browser, String node) throws Exception {
        ContentResponse response = asBrowser(browser.newRequest(node + "/me")).send();
        if (response.getStatus() == 302) {
            assertThat(response.getHeaders().get(HttpHeader.LOCATION)).endsWith("/login");
            return null;
        }
        assertThat(response.getStatus()).isEqualTo(200);
        return response.getContentAsString();
    }

    /** A call of the jettysessions endpoint as the admin; its JSON answer, or null for none. */
    private static JsonNode endpoint(HttpClient operator, HttpMethod method, String node, String rest)
            throws Exception {
        ContentResponse response = operator.newRequest(node + "/actuator/jettysessions" + rest)
                .method(method)
                .headers(headers -> headers.put(HttpHeader.AUTHORIZATION, basic("admin")))
                .send();
        assertThat(response.getStatus()).as(response.getContentAsString()).isBetween(200, 204);
        String body = response.getContentAsString();
        return body.isEmpty() ? null : new ObjectMapper().readTree(body);
    }

    private static Request asBrowser(Request request) {
        return request.headers(headers -> headers.put(HttpHeader.ACCEPT, "text/html"));
    }

    /** HTTP Basic credentials of a demonstration user, whose password is their name. */
    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8));
    }
}
