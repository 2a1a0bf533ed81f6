package io.github.jettysqlite.examples.boot3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app as a developer runs it, with Spring Boot DevTools: in a JVM of its own started on its main method (DevTools
 * switches itself off under a test framework), where DevTools sets {@code server.servlet.session.persistent=true}.
 * Sessions still go to the SQLite file, and survive both DevTools' restart of the application in the JVM and a new
 * JVM.
 */
class DevToolsTest {
    private static final String STARTED = "Started SessionsApplication";

    @TempDir
    Path dir;

    @Test
    void sessionsSurviveDevToolsRestartsInTheSQLiteFile() throws Exception {
        Path database = dir.resolve("boot.db");
        Path watched = Files.createDirectories(dir.resolve("watched"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String uri = "http://127.0.0.1:" + port + "/";
        HttpClient client = new HttpClient();
        client.start();
        Process app = launch(port, database, watched, dir.resolve("first.log"));
        try {
            String output = awaitLog(app, dir.resolve("first.log"), 1);
            assertThat(output).contains("Devtools property defaults active");
            assertThat(output).contains("server.servlet.session.persistent=true (Spring Boot DevTools sets it)");
            assertThat(client.GET(uri).getContentAsString()).isEqualTo("visits: 1");
            assertThat(client.GET(uri).getContentAsString()).isEqualTo("visits: 2");

            // A changed file on a watched path: DevTools restarts the application in this JVM.
            Files.writeString(watched.resolve("changed.txt"), "changed");
            awaitLog(app, dir.resolve("first.log"), 2);
            assertThat(client.GET(uri).getContentAsString()).isEqualTo("visits: 3");
            stop(app);
            assertThat(SessionsApplicationTest.storedSessionIds(database))
                    .containsExactly(SessionsApplicationTest.sessionId(client));

            app = launch(port, database, watched, dir.resolve("second.log"));
            awaitLog(app, dir.resolve("second.log"), 1);
            assertThat(client.GET(uri).getContentAsString()).isEqualTo("visits: 4");
        } finally {
            stop(app);
            client.stop();
        }
    }

    /** {@code java SessionsApplication} on this test's class path, DevTools included, its output in the log. */
    private Process launch(int port, Path database, Path watched, Path log) throws IOException {
        return new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        SessionsApplication.class.getName(),
                        "--server.address=127.0.0.1",
                        "--server.port=" + port,
                        "--jetty.sessions.sqlite.file=" + database,
                        "--spring.devtools.restart.additional-paths=" + watched,
                        "--spring.devtools.livereload.enabled=false")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** The log once the application has started {@code times} times; fails with the log if it does not. */
    private static String awaitLog(Process app, Path log, int times) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            String output = Files.readString(log);
            if (output.split(STARTED, -1).length > times) {
                return output;
            }
            if (!app.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("Not started " + times + " times:\n" + output);
            }
            Thread.sleep(200);
        }
    }

    private static void stop(Process app) throws InterruptedException {
        app.destroy();
        if (!app.waitFor(30, TimeUnit.SECONDS)) {
            app.destroyForcibly().waitFor();
        }
    }
}
