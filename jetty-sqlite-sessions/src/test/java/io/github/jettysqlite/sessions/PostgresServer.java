package io.github.jettysqlite.sessions;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the tests. When {@code JSS_POSTGRES_URL} is set (a JDBC URL with credentials, such
 * as {@code jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres}), the tests use that server; otherwise the
 * first test that asks starts a throw-away one from the installed binaries ({@code initdb}, {@code pg_ctl}) in a
 * temporary directory on a free loopback port, and the JVM stops it and deletes its files on exit.
 *
 * <p>Each test gets a schema of its own on that server, so tests never see each other's tables.
 */
public final class PostgresServer {
    public static final String URL_VARIABLE = "JSS_POSTGRES_URL";

    private static PostgresServer instance;
    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    private final String baseUrl;

    private PostgresServer(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** The server, started on first use. */
    public static synchronized PostgresServer get() {
        if (instance == null) {
            String given = System.getenv(URL_VARIABLE);
            try {
                instance = new PostgresServer(given != null && !given.isBlank() ? given : startPrivateServer());
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("Cannot start a PostgreSQL server for the tests: " + e, e);
            }
        }
        return instance;
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

    private static String startPrivateServer() throws IOException, InterruptedException {
        Path bin = findBinaries();
        Path home = Files.createTempDirectory("jss-postgres");
        Path data = home.resolve("data");
        // PostgreSQL refuses to run as root; under root (as in CI containers) it runs as the postgres user.
        List<String> asUser = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            UserPrincipal postgres =
                    home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(home, postgres);
            asUser.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        run(
                asUser,
                bin.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync");
        String options =
                "-p " + port + " -c listen_addresses=127.0.0.1 -k " + home + " -c fsync=off -c max_connections=200";
        run(
                asUser,
                bin.resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-l",
                home.resolve("server.log").toString(),
                "-o",
                options,
                "-w",
                "start");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                run(asUser, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "stop");
            } catch (IOException | InterruptedException ignored) {
                // the JVM is exiting; a server left behind dies with the container
            }
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory left behind is harmless
            }
        }));
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    /** initdb and pg_ctl from the PATH, else from the newest Debian installation. */
    private static Path findBinaries() throws IOException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path initdb = Path.of(dir, "initdb");
            if (!dir.isEmpty() && Files.isExecutable(initdb) && Files.isExecutable(Path.of(dir, "pg_ctl"))) {
                return initdb.toRealPath().getParent();
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Path newest = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparing(b -> versionOf(b.getParent())))
                        .orElse(null);
                if (newest != null) {
                    return newest;
                }
            }
        }
        throw new IOException("PostgreSQL's initdb and pg_ctl were not found. Install PostgreSQL"
                + " (Debian: apt-get install postgresql) or set " + URL_VARIABLE + " to a server's JDBC URL.");
    }

    private static int versionOf(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void run(List<String> prefix, String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(prefix);
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", line) + " failed: " + new String(output));
        }
    }
}
