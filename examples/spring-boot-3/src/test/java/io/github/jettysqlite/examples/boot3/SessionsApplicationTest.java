package io.github.jettysqlite.examples.boot3;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.CoherentSessionCache;
import java.nio.file.Path;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.SessionCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.embedded.jetty.JettyWebServer;
import org.springframework.context.ConfigurableApplicationContext;

/** The Boot app over real HTTP: its session count survives a restart of the application on the same file. */
class SessionsApplicationTest {
    @TempDir
    Path dir;

    @Test
    void sessionSurvivesARestartOfTheApplication() throws Exception {
        Path database = dir.resolve("boot.db");
        HttpClient client = new HttpClient();
        client.start();
        ConfigurableApplicationContext app = start(database, 0);
        try {
            String port = app.getEnvironment().getProperty("local.server.port");
            String uri = "http://127.0.0.1:" + port + "/";
            assertThat(client.GET(uri).getContentAsString()).isEqualTo("visits: 1");
            assertThat(client.GET(uri).getContentAsString()).isEqualTo("visits: 2");
            app.close();

            app = start(database, Integer.parseInt(port));

            assertThat(client.GET(uri).getContentAsString()).isEqualTo("visits: 3");
            assertThat(database).isRegularFile();
        } finally {
            app.close();
            client.stop();
        }
    }

    @Test
    void theApplicationRunsTheCoherentSessionCache() {
        ConfigurableApplicationContext app = start(dir.resolve("boot.db"), 0);
        try {
            Server server = ((JettyWebServer) ((WebServerApplicationContext) app).getWebServer()).getServer();
            SessionCache cache = server.getDescendant(SessionHandler.class).getSessionCache();
            assertThat(cache).isInstanceOf(CoherentSessionCache.class);
        } finally {
            app.close();
        }
    }

    private static ConfigurableApplicationContext start(Path database, int port) {
        return new SpringApplicationBuilder(SessionsApplication.class)
                // As command-line arguments, which outrank the example's application.properties (properties()
                // would only give defaults, and the example's own file would win).
                .run("--server.address=127.0.0.1", "--server.port=" + port, "--jetty.sessions.sqlite.file=" + database);
    }
}
