package io.github.jettysqlite.examples.boot4;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.FormRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * On Boot 4 (Spring Security 7, Actuator on Jackson 3): two instances of the application on one SQLite file, a
 * user's login on one ends their session on the other, and the jettysessions endpoint lists and ends the session
 * left. The Boot 3 example's test of the same name goes through more cases.
 */
class OneSessionPerUserTest {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    @TempDir
    Path dir;

    @Test
    void aLoginOnOneNodeEndsTheUsersSessionOnTheOtherAndTheEndpointEndsTheLast() throws Exception {
        HttpClient laptop = browser();
        HttpClient phone = browser();
        HttpClient operator = browser();
        try (ConfigurableApplicationContext a = start(dir.resolve("boot.db"));
                ConfigurableApplicationContext b = start(dir.resolve("boot.db"))) {
            String nodeA = base(a);
            String nodeB = base(b);
            login(laptop, nodeA);
            assertThat(whoAmI(laptop, nodeA)).isEqualTo("alice");

            login(phone, nodeB);
            assertThat(whoAmI(phone, nodeB)).isEqualTo("alice");
            assertThat(whoAmI(laptop, nodeA))
                    .as("ended by the login on the other node")
                    .isNull();

            JsonNode listed = new JsonMapper()
                    .readTree(endpoint(operator, HttpMethod.GET, nodeA, "?principal=alice")
                            .getContentAsString());
            assertThat(listed.get("sessions")).hasSize(1);
            String remaining = listed.get("sessions").get(0).get("id").asString();
            assertThat(listed.get("sessions").get(0).get("lastAccessed").asString())
                    .as("an ISO instant")
                    .matches("\\d{4}-\\d\\d-\\d\\dT.*Z");

            assertThat(endpoint(operator, HttpMethod.DELETE, nodeA, "/" + remaining)
                            .getStatus())
                    .isEqualTo(204);
            assertThat(whoAmI(phone, nodeB)).as("logged out by the endpoint").isNull();
        } finally {
            laptop.stop();
            phone.stop();
            operator.stop();
        }
    }

    /** A browser of its own: its own cookies, and redirects left to the test. */
    private static HttpClient browser() throws Exception {
        HttpClient client = new HttpClient();
        client.setFollowRedirects(false);
        client.start();
        return client;
    }

    private static ConfigurableApplicationContext start(Path database) {
        return new SpringApplicationBuilder(SessionsApplication.class)
                .run("--server.address=127.0.0.1", "--server.port=0", "--jetty.sessions.sqlite.file=" + database);
    }

    private static String base(ConfigurableApplicationContext app) {
        return "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
    }

    /** Spring Security's login form as a browser fills it in: the CSRF token from the page, then the post. */
    private static void login(HttpClient browser, String node) throws Exception {
        ContentResponse page = asBrowser(browser.newRequest(node + "/login")).send();
        Matcher token = CSRF.matcher(page.getContentAsString());
        assertThat(token.find()).as(page.getContentAsString()).isTrue();
        Fields form = new Fields();
        form.put("username", "alice");
        form.put("password", "alice");
        form.put("_csrf", token.group(1));
        ContentResponse posted = asBrowser(browser.newRequest(node + "/login"))
                .method(HttpMethod.POST)
                .body(new FormRequestContent(form))
                .send();
        assertThat(posted.getHeaders().get(HttpHeader.LOCATION)).doesNotContain("error");
    }

    /** Who {@code /me} says is logged in; null when it sends the browser to the login page instead. */
    private static String whoAmI(HttpClient browser, String node) throws Exception {
        ContentResponse response = asBrowser(browser.newRequest(node + "/me")).send();
        return response.getStatus() == 200 ? response.getContentAsString() : null;
    }

    /** The jettysessions endpoint called as the admin, over HTTP Basic. */
    private static ContentResponse endpoint(HttpClient client, HttpMethod method, String node, String rest)
            throws Exception {
        String admin = Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8));
        return client.newRequest(node + "/actuator/jettysessions" + rest)
                .method(method)
                .headers(headers -> headers.put(HttpHeader.AUTHORIZATION, "Basic " + admin))
                .send();
    }

    private static Request asBrowser(Request request) {
        return request.headers(headers -> headers.put(HttpHeader.ACCEPT, "text/html"));
    }
}
