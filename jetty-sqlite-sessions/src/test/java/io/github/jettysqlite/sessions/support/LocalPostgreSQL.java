package io.github.jettysqlite.sessions.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server from this machine's programs, in a temporary directory, listening on 127.0.0.1 at a
 * port of its own; it can be stopped (as an operator would, {@code pg_ctl stop -m fast} or {@code -m immediate}) and
 * started again on the same port with the same data. Under root it runs as the {@code postgres} user, since
 * PostgreSQL refuses to run as root.
 */
public final class LocalPostgreSQL implements AutoCloseable {
    private final Path bin;
    private final Path home;
    private final int port;
    private final List<String> asUser;

    private LocalPostgreSQL(Path bin, Path home, int port, List<String> asUser) {
        this.bin = bin;
        this.home = home;
        this.port = port;
        this.asUser = asUser;
    }

    public static LocalPostgreSQL start(Path bin) throws IOException, InterruptedException {
        Path home = Files.createTempDirectory("jss-postgres");
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
        LocalPostgreSQL server = new LocalPostgreSQL(bin, home, port, asUser);
        PostgreSQLServer.run(
                asUser,
                bin.resolve("initdb").toString(),
                "-D",
                server.data().toString(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync");
        server.start();
        return server;
    }

    /** The URL of its default database, as the postgres user. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    /** Starts the server and waits until it accepts connections. */
    public void start() throws IOException, InterruptedException {
        String options =
                "-p " + port + " -c listen_addresses=127.0.0.1 -k " + home + " -c fsync=off -c max_connections=200";
        PostgreSQLServer.run(
                asUser,
                bin.resolve("pg_ctl").toString(),
                "-D",
                data().toString(),
                "-l",
                home.resolve("server.log").toString(),
                "-o",
                options,
                "-w",
                "start");
    }

    /**
     * Stops the server: {@code fast} ends every session and shuts down cleanly (a routine restart), {@code
     * immediate} kills it and leaves crash recovery to the next start (a crash or a failover).
     */
    public void stop(String mode) throws IOException, InterruptedException {
        PostgreSQLServer.run(
                asUser, bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", mode, "-w", "stop");
    }

    private Path data() {
        return home.resolve("data");
    }

    /** Stops the server, whatever state it is in, and removes its files. */
    @Override
    public void close() {
        try {
            PostgreSQLServer.run(
                    asUser, bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-m", "immediate", "stop");
        } catch (IOException | InterruptedException ignored) {
            // not running, or the JVM is exiting; a server left behind dies with the container
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
