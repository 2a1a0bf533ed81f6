package io.github.jettysqlite.examples.boot3;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.CoherentSessionCache;
import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SessionTableSettings;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.admin.SessionSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.SessionCache;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.embedded.jetty.JettyWebServer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Boot app over real HTTP: its session count survives a restart of the application on the same file, also with
 * {@code server.servlet.session.persistent=true} (set by hand here, by DevTools in {@link DevToolsTest}), which would
 * otherwise put the sessions in Boot's own files.
 */
class SessionsApplicationTest {
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

    private static ConfigurableApplicationContext start(Path database, int port, boolean persistent) {
        return new SpringApplicationBuilder(SessionsApplication.class)
                // As command-line arguments, which outrank the example's application.properties (properties()
                // would only give defaults, and the example's own file would win).
                .run(
                        "--server.address=127.0.0.1",
                        "--server.port=" + port,
                        "--jetty.sessions.sqlite.file=" + database,
                        "--server.servlet.session.persistent=" + persistent);
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
