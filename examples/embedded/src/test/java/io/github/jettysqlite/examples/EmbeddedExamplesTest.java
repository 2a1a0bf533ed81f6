package io.github.jettysqlite.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.CoherentSessionCache;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.session.SessionCache;
import org.eclipse.jetty.session.SessionManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded examples, started as a user would and driven over HTTP; the count survives a restart. */
class EmbeddedExamplesTest {
    @TempDir
    Path dir;

    private HttpClient client;
    private Server server;

    @BeforeEach
    void startClient() throws Exception {
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
    void programmaticDemoKeepsTheCountAcrossARestart() throws Exception {
        assertCountSurvivesARestart(VisitCounterDemo::newServer, dir.resolve("sessions.db"));
    }

    @Test
    void xmlConfiguredDemoKeepsTheCountAcrossARestart() throws Exception {
        assertCountSurvivesARestart(XmlConfiguredDemo::newServer, dir.resolve("xml/sessions.db"));
    }

    @Test
    void coreSessionHandlerDemoKeepsTheCountAcrossARestart() throws Exception {
        assertCountSurvivesARestart(CoreSessionHandlerDemo::newServer, dir.resolve("core/sessions.db"));
    }

    @Test
    void everyDemoRunsTheCoherentSessionCache() throws Exception {
        server = start(VisitCounterDemo.newServer(0, dir.resolve("code/sessions.db")));
        assertThat(sessionCache()).isInstanceOf(CoherentSessionCache.class);
        server.stop();

        server = start(XmlConfiguredDemo.newServer(0, dir.resolve("xml/sessions.db")));
        assertThat(sessionCache()).isInstanceOf(CoherentSessionCache.class);
        server.stop();

        server = start(CoreSessionHandlerDemo.newServer(0, dir.resolve("core/sessions.db")));
        assertThat(sessionCache()).isInstanceOf(CoherentSessionCache.class);
    }

    /** The demo as a user runs it, in a JVM of its own, stopped as Ctrl-C stops it (a signal, then exit). */
    @Test
    void demoStoppedBySignalClosesTheDatabaseCleanly() throws Exception {
        Path database = dir.resolve("demo/sessions.db");
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process demo = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        VisitCounterDemo.class.getName(),
                        Integer.toString(port),
                        database.toString())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader output =
                    new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = output.readLine()) != null && !line.startsWith("Visit counter on")) {
                // Jetty's start-up log
            }
            assertThat(line).as("the demo's start line").isNotNull();
            assertThat(client.GET("http://127.0.0.1:" + port + "/")
                            .getContentAsString()
                            .strip())
                    .isEqualTo("visits: 1");
            assertThat(Path.of(database + "-wal")).exists();

            demo.destroy(); // SIGTERM: the JVM runs its shutdown hooks, as on Ctrl-C (SIGINT)

            assertThat(demo.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            demo.destroyForcibly();
        }
        assertThat(Path.of(database + "-wal"))
                .as("the WAL, checkpointed and removed")
                .doesNotExist();
        assertThat(count(database)).isEqualTo(1);
    }

    /** Two visits, a restart of the demo's server on the same port and file, a third visit: the count goes on. */
    private void assertCountSurvivesARestart(Demo demo, Path database) throws Exception {
        server = start(demo.newServer(0, database));
        int port = port();
        assertThat(visit()).isEqualTo("visits: 1");
        assertThat(visit()).isEqualTo("visits: 2");
        server.stop();

        server = start(demo.newServer(port, database));

        assertThat(visit()).isEqualTo("visits: 3");
        assertThat(count(database)).isEqualTo(1);
    }

    /** A demo's {@code newServer(port, database)}. */
    @FunctionalInterface
    private interface Demo {
        Server newServer(int port, Path database) throws Exception;
    }

    private static Server start(Server server) throws Exception {
        ((ServerConnector) server.getConnectors()[0]).setHost("127.0.0.1");
        server.start();
        return server;
    }

    /** The session cache of the server's one context, whether its SessionHandler is ee10's or Jetty core's. */
    private SessionCache sessionCache() {
        return server.getContainedBeans(SessionManager.class).stream()
                .findFirst()
                .orElseThrow()
                .getSessionCache();
    }

    private int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    private String visit() throws Exception {
        return client.GET("http://127.0.0.1:" + port() + "/")
                .getContentAsString()
                .strip();
    }

    private static int count(Path database) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM jetty_sessions")) {
            r.next();
            return r.getInt(1);
        }
    }
}
