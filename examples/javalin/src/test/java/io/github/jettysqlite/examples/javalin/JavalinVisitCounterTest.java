package io.github.jettysqlite.examples.javalin;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.CoherentSessionCache;
import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.javalin.Javalin;
import java.nio.file.Path;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.session.SessionCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Javalin app over real HTTP: its session count survives a restart of the app on the same file. */
class JavalinVisitCounterTest {
    @TempDir
    Path dir;

    @Test
    void sessionSurvivesARestartOfTheApp() throws Exception {
        Path database = dir.resolve("sessions.db");
        HttpClient client = new HttpClient();
        client.start();
        Javalin app = JavalinVisitCounter.create(database).start("127.0.0.1", 0);
        try {
            int port = app.port();
            assertThat(client.GET("http://127.0.0.1:" + port + "/").getContentAsString())
                    .isEqualTo("visits: 1");
            assertThat(client.GET("http://127.0.0.1:" + port + "/").getContentAsString())
                    .isEqualTo("visits: 2");
            app.stop();

            app = JavalinVisitCounter.create(database).start("127.0.0.1", port);

            assertThat(client.GET("http://127.0.0.1:" + port + "/").getContentAsString())
                    .isEqualTo("visits: 3");
        } finally {
            app.stop();
            client.stop();
        }
    }

    @Test
    void theAppRunsTheCoherentCacheOverTheSQLiteStore() {
        Javalin app = JavalinVisitCounter.create(dir.resolve("sessions.db")).start("127.0.0.1", 0);
        try {
            SessionCache cache = app.jettyServer()
                    .server()
                    .getDescendant(SessionHandler.class)
                    .getSessionCache();
            assertThat(cache).isInstanceOf(CoherentSessionCache.class);
            assertThat(cache.getSessionDataStore()).isInstanceOf(SQLiteSessionDataStore.class);
        } finally {
            app.stop();
        }
    }
}
