package io.github.jettysqlite.examples.boot4;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.CoherentSessionCache;
import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SessionTableSettings;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.admin.SessionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.ee11.servlet.SessionHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.SessionCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Boot app over real HTTP: its session count survives a restart of the application on the same file, also with
 * {@code server.servlet.session.persistent=true} (set by hand here, by DevTools in {@link DevToolsTest}), which would
 * otherwise put the sessions in Boot's own files; and Actuator's health turns DOWN when the file is deleted under the
 * running application.
 */
class SessionsApplicationTest {
    private static final JsonMapper JSON = new JsonMapper();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "server.servlet.session.persistent={0}")
    @ValueSource(booleans = {false, true})
    void sessionSurvivesARestartOfTheApplication(boolean persistent) throws Exception {
        Path database = dir.resolve("boot.db");
        HttpClient client = new HttpClient();
        client.start();
        ConfigurableApplicationContext app = start(database, 0, persistent);
        try {
            String port = app.getEnvironment().getProperty("local.server.port");
            String uri = "http://127.0.0.1:" + port + "/";
            assertThat(client.GET(uri).getContentAsString()).isEqualTo("visits: 1");
            assertThat(client.GET(uri).getContentAsString()).isEqualTo("visits: 2");
            app.close();
            assertThat(storedSessionIds(database)).containsExactly(sessionId(client));

            app = start(database, Integer.parseInt(port), persistent);

            assertThat(client.GET(uri).getContentAsString()).isEqualTo("visits: 3");
            // The starter bound the store's meters to the registry Boot made (a SimpleMeterRegistry here).
            MeterRegistry meters = app.getBean(MeterRegistry.class);
            assertThat(meters.get("jetty.sessions.store.calls")
                            .tags("store", "sqlite", "operation", "load")
                            .timer()
                            .count())
                    .isPositive();
            assertThat(meters.get("jetty.sessions.stored").gauge().value()).isEqualTo(1);
        } finally {
            app.close();
            client.stop();
        }
    }

    @ParameterizedTest(name = "server.servlet.session.persistent={0}")
    @ValueSource(booleans = {false, true})
    void theApplicationRunsTheCoherentSessionCacheOverTheStore(boolean persistent) {
        ConfigurableApplicationContext app = start(dir.resolve("boot.db"), 0, persistent);
        try {
            Server server = ((JettyWebServer) ((WebServerApplicationContext) app).getWebServer()).getServer();
            SessionCache cache = server.getDescendant(SessionHandler.class).getSessionCache();
            assertThat(cache).isInstanceOf(CoherentSessionCache.class);
            assertThat(cache.getSessionDataStore()).isInstanceOf(SQLiteSessionDataStore.class);
        } finally {
            app.close();
        }
    }

    @Test
    void healthIsDownOnceTheDatabaseFileIsDeletedUnderTheRunningApplication() throws Exception {
        Path database = dir.resolve("boot.db");
        HttpClient client = new HttpClient();
        client.start();
        ConfigurableApplicationContext app =
                start(database, 0, false, "--management.endpoint.health.show-details=always");
        try {
            String uri = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
            assertThat(client.GET(uri + "/").getContentAsString()).isEqualTo("visits: 1");
            ContentResponse up = client.GET(uri + "/actuator/health");
            assertThat(up.getStatus()).isEqualTo(200);
            JsonNode store = JSON.readTree(up.getContentAsString()).at("/components/jettySessions");
            assertThat(store.at("/status").asString()).isEqualTo("UP");
            // One store, of the root context ("_" in Jetty's canonical form).
            assertThat(store.at("/details/_/database").asString()).isEqualTo(database.toString());
            assertThat(store.at("/details/_/table").asString()).isEqualTo("jetty_sessions");
            assertThat(store.at("/details/_/schemaVersion").asInt()).isPositive();

            Files.delete(database);

            ContentResponse down = client.GET(uri + "/actuator/health");
            assertThat(down.getStatus()).isEqualTo(503);
            JsonNode health = JSON.readTree(down.getContentAsString());
            assertThat(health.at("/status").asString()).isEqualTo("DOWN");
            assertThat(health.at("/components/jettySessions/status").asString()).isEqualTo("DOWN");
            assertThat(health.at("/components/jettySessions/details/_/error").asString())
                    .isEqualTo("the database file was deleted while in use; writes are refused until the application"
                            + " restarts");
        } finally {
            app.close();
            client.stop();
        }
    }

    private static ConfigurableApplicationContext start(Path database, int port, boolean persistent, String... more) {
        List<String> arguments = new ArrayList<>(List.of(
                "--server.address=127.0.0.1",
                "--server.port=" + port,
                "--jetty.sessions.sqlite.file=" + database,
                "--server.servlet.session.persistent=" + persistent));
        arguments.addAll(List.of(more));
        // As command-line arguments, which outrank the example's application.properties (properties() would only
        // give defaults, and the example's own file would win).
        return new SpringApplicationBuilder(SessionsApplication.class).run(arguments.toArray(String[]::new));
    }

    /** The ids of the sessions in the file's session table. */
    static List<String> storedSessionIds(Path database) throws Exception {
        SessionDatabaseAdmin admin =
                SessionDatabaseAdmin.inspect(database.toString(), null, null, SessionTableSettings.DEFAULT_TABLE_NAME);
        try {
            List<String> ids = new ArrayList<>();
            for (SessionSummary session : admin.list(null, null, 0, 100)) {
                ids.add(session.id());
            }
            return ids;
        } finally {
            admin.close();
        }
    }

    /** The session id in the client's session cookie, without the node name Jetty appends to it. */
    static String sessionId(HttpClient client) {
        String cookie = client.getHttpCookieStore().all().stream()
                .filter(c -> c.getName().equals("JSESSIONID"))
                .findFirst()
                .orElseThrow()
                .getValue();
        return cookie.substring(0, cookie.lastIndexOf('.'));
    }
}
