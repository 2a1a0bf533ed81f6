package io.github.jettysqlite.examples.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The jetty-home modules on a real Jetty distribution: a fresh $JETTY_BASE gets our archive unpacked into it,
 * {@code --add-modules=http,eeN-deploy,session-store-sqlite} (or {@code session-store-postgresql}), which brings in
 * {@code session-cache-coherent}, and an example WAR (the jakarta.servlet one, or for ee8 the javax.servlet one);
 * Jetty runs as its own process.
 */
class JettyHomeDistributionTest {
    private static final Path DISTRIBUTION = Path.of(System.getProperty("distribution.dir"));
    private static final Path HOME = DISTRIBUTION.resolve("jetty-home-" + System.getProperty("jetty-home.version"));
    private static final Path ARCHIVE = DISTRIBUTION.resolve("sqlite-sessions-archive");
    /** The line Jetty's server dump ends with. */
    private static final String DUMP_LEGEND = "legend: +- bean";

    private HttpClient client;

    @BeforeEach
    void startClient() throws Exception {
        client = new HttpClient();
        client.start();
    }

    @AfterEach
    void stopClient() throws Exception {
        client.stop();
    }

    /**
     * The jakarta.servlet WAR (Servlet 5.0) in each jakarta environment: its cart, a class only the WAR has, is a row
     * in the file and still there after Jetty restarts.
     */
    @ParameterizedTest
    @ValueSource(strings = {"ee9", "ee10", "ee11"})
    void sessionHoldingAWebappOnlyClassSurvivesARestartOfJetty(String environment) throws Exception {
        assertSessionSurvivesARestart(
                environment,
                "shop",
                List.of(new Exchange("?add=book", "cart: [book]"), new Exchange("?add=pen", "cart: [book, pen]")),
                new Exchange("", "cart: [book, pen]"));
    }

    /**
     * ee8, where a javax.servlet WAR from Jetty 9 or 10 lands: its session, holding a class only that WAR has, is a
     * row in the file and still there after Jetty restarts.
     */
    @Test
    void javaxWebappSessionOnEe8SurvivesARestartOfJetty() throws Exception {
        assertSessionSurvivesARestart(
                "ee8",
                "visits",
                List.of(new Exchange("", "visits: 1"), new Exchange("", "visits: 2")),
                new Exchange("", "visits: 3"));
    }

    @Test
    void configuredFileAndTableAreWhereThePropertiesSay() throws Exception {
        Path base = newBase("ee10");
        Path database = base.resolve("data/shop-sessions.db");
        int port = JettyProcess.freePort();

        try (JettyProcess jetty = startJetty(
                base, port, "jetty.session.sqlite.file=" + database, "jetty.session.sqlite.table=shop_sessions")) {
            assertThat(get("http://127.0.0.1:" + port + "/shop/?add=lamp")).isEqualTo("cart: [lamp]");
        }

        assertThat(query(database, "SELECT count(*) FROM shop_sessions")).isEqualTo("1");
        assertThat(base.resolve("sessions/sessions.db")).doesNotExist();
    }

    @Test
    void postgresModuleKeepsSessionsOnTheServerAcrossARestart() throws Exception {
        Path base = newBase("ee10", "session-store-postgresql");
        assertThat(base.resolve("lib/sessions")).isDirectory();
        String url = PostgreSQLServer.get().freshSchemaUrl();
        int port = JettyProcess.freePort();
        String cart = "http://127.0.0.1:" + port + "/shop/";

        try (JettyProcess jetty = startJetty(base, port, "jetty.session.postgresql.url=" + url)) {
            assertThat(get(cart + "?add=kettle")).isEqualTo("cart: [kettle]");
        }
        try (JettyProcess jetty = startJetty(base, port, "jetty.session.postgresql.url=" + url)) {
            assertThat(get(cart + "?add=mug")).isEqualTo("cart: [kettle, mug]");
        }

        assertThat(query(url, "SELECT count(*) FROM jetty_sessions WHERE context_path = '_shop'"))
                .isEqualTo("1");
        assertThat(base.resolve("sessions/sessions.db")).doesNotExist();
    }

    /**
     * The session cache module works in every environment, though each has a SessionHandler of its own: Jetty's
     * dump shows the context's cache as a CoherentSessionCache (ee10 is in the test below).
     */
    @ParameterizedTest
    @ValueSource(strings = {"ee8", "ee9", "ee11"})
    void storeModuleRunsTheCoherentSessionCacheInEveryEnvironment(String environment) throws Exception {
        assertDumpShowsTheCoherentCache(newBase(environment));
    }

    /**
     * A store module brings in session-cache-coherent as its session cache: Jetty's dump after start shows every
     * context's cache as a CoherentSessionCache.
     */
    @ParameterizedTest
    @ValueSource(strings = {"session-store-sqlite", "session-store-postgresql"})
    void eitherStoreModuleRunsTheCoherentSessionCache(String storeModule) throws Exception {
        String[] properties = storeModule.equals("session-store-postgresql")
                ? new String[] {
                    "jetty.session.postgresql.url=" + PostgreSQLServer.get().freshSchemaUrl()
                }
                : new String[0];
        assertDumpShowsTheCoherentCache(newBase("ee10", storeModule), properties);
    }

    /**
     * What the coherent cache is for: two Jetty servers on one database file, each showing the cart as the other
     * left it, although the second keeps the session in memory between requests.
     */
    @Test
    void twoJettyServersOnOneFileShowEachOthersChanges() throws Exception {
        Path base = newBase("ee10");
        int portA = JettyProcess.freePort();
        int portB = JettyProcess.freePort();
        String cartA = "http://127.0.0.1:" + portA + "/shop/";
        String cartB = "http://127.0.0.1:" + portB + "/shop/";

        try (JettyProcess a = startJetty(base, portA);
                JettyProcess b = startJetty(base, portB)) {
            assertThat(get(cartA + "?add=book")).isEqualTo("cart: [book]");
            assertThat(get(cartB)).isEqualTo("cart: [book]");
            assertThat(get(cartA + "?add=pen")).isEqualTo("cart: [book, pen]");

            assertThat(get(cartB)).isEqualTo("cart: [book, pen]");
        }
    }

    /** A session-cache module the base enables takes the coherent cache's place; nothing of ours is left behind. */
    @Test
    void aSessionCacheModuleTheBaseChoosesReplacesTheCoherentOne() throws Exception {
        Path base = newBase("ee10", "session-store-sqlite,session-cache-hash");

        JettyProcess.Finished config = JettyProcess.run(HOME, base, "--list-config");

        assertThat(config.exitCode()).as(config.output()).isZero();
        assertThat(config.output()).contains("session-cache-hash.xml").doesNotContain("session-cache-coherent");
    }

    @Test
    void invalidTableNameStopsJettyAtStartWithOurMessage() throws Exception {
        Path base = newBase("ee10");

        try (JettyProcess jetty = JettyProcess.start(
                HOME,
                base,
                "jetty.http.host=127.0.0.1",
                "jetty.http.port=" + JettyProcess.freePort(),
                "jetty.session.sqlite.table=sessions;DROP")) {
            assertThat(jetty.awaitExit()).as(jetty.output()).isNotZero();
            assertThat(jetty.output())
                    .contains("Invalid SQLite session store setting tableName: table name must match"
                            + " [A-Za-z_][A-Za-z0-9_]{0,62}, not 'sessions;DROP'");
        }
    }

    /** Starts Jetty in the base, asking for its dump after start, and finds our cache there and Jetty's nowhere. */
    private static void assertDumpShowsTheCoherentCache(Path base, String... properties) throws Exception {
        String[] arguments = Stream.concat(Stream.of("jetty.server.dumpAfterStart=true"), Stream.of(properties))
                .toArray(String[]::new);
        try (JettyProcess jetty = startJetty(base, JettyProcess.freePort(), arguments)) {
            assertThat(jetty.awaitOutput(DUMP_LEGEND))
                    .contains("CoherentSessionCache@")
                    .doesNotContain("DefaultSessionCache@");
        }
    }

    /**
     * The exchanges before a restart of Jetty, then the one after, each answered as expected in one session; in
     * between, the session is one row of the file.
     */
    private void assertSessionSurvivesARestart(
            String environment, String context, List<Exchange> beforeRestart, Exchange afterRestart) throws Exception {
        Path base = newBase(environment);
        int port = JettyProcess.freePort();
        String uri = "http://127.0.0.1:" + port + "/" + context + "/";

        try (JettyProcess jetty = startJetty(base, port)) {
            for (Exchange exchange : beforeRestart) {
                assertThat(get(uri + exchange.query())).isEqualTo(exchange.answer());
            }
        }
        Path database = base.resolve("sessions/sessions.db");
        assertThat(database).isRegularFile();
        assertThat(query(database, "SELECT count(*) FROM jetty_sessions WHERE context_path = '_" + context + "'"))
                .isEqualTo("1");

        try (JettyProcess jetty = startJetty(base, port)) {
            assertThat(get(uri + afterRestart.query())).isEqualTo(afterRestart.answer());
        }
    }

    /** A request to a WAR (its query string, possibly empty) and the body it answers with. */
    private record Exchange(String query, String answer) {}

    /**
     * A fresh jetty-base: our archive unpacked into it, the modules added, the environment's WAR dropped in (the
     * javax.servlet one for ee8, the jakarta.servlet one for the others).
     */
    private static Path newBase(String environment) throws Exception {
        return newBase(environment, "session-store-sqlite");
    }

    /** As above, with these session modules (comma-separated) in place of session-store-sqlite. */
    private static Path newBase(String environment, String sessionModule) throws Exception {
        Path base = Files.createTempDirectory(DISTRIBUTION, "base-" + environment + "-");
        copyTree(ARCHIVE, base);
        String modules = "http," + environment + "-deploy," + sessionModule;
        // The session modules name third-party jars under licences of their own, which start.jar asks to accept.
        JettyProcess.Finished added =
                JettyProcess.run(HOME, base, "--approve-all-licenses", "--add-modules=" + modules);
        assertThat(added.exitCode()).as(added.output()).isZero();
        String war = environment.equals("ee8") ? "visits.war" : "shop.war";
        Files.copy(
                DISTRIBUTION.resolve(war), base.resolve("webapps").resolve(war), StandardCopyOption.REPLACE_EXISTING);
        // One line per base in the build's output, so a run says which environments it covered.
        System.out.println("jetty-base " + base.getFileName() + ": --add-modules=" + modules + ", webapps/" + war);
        return base;
    }

    private static JettyProcess startJetty(Path base, int port, String... properties) throws Exception {
        String[] arguments = Stream.concat(
                        Stream.of("jetty.http.host=127.0.0.1", "jetty.http.port=" + port), Stream.of(properties))
                .toArray(String[]::new);
        JettyProcess jetty = JettyProcess.start(HOME, base, arguments);
        try {
            jetty.awaitListening(port);
            return jetty;
        } catch (Throwable e) {
            jetty.close();
            throw e;
        }
    }

    private String get(String uri) throws Exception {
        ContentResponse response = client.GET(uri);
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(200);
        return response.getContentAsString().strip();
    }

    private static String query(Path database, String sql) throws Exception {
        return query("jdbc:sqlite:" + database, sql);
    }

    private static String query(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
