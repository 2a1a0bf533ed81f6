package io.github.jettysqlite.sessions.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The {@code litestream} program (Litestream, continuous replication of SQLite files), for the tests that replicate a
 * session database and restore it. Found in this order: the system property {@value #BIN_PROPERTY} (empty hides
 * every copy), the environment variable {@value #BIN_VARIABLE}, {@code litestream} on the PATH. Without it the
 * calling test is skipped with one line that says how to get it, unless {@code jss.litestream.required=true} (system
 * property) or {@code JSS_LITESTREAM_REQUIRED=true} (environment), which makes its absence a failure, so that a CI
 * that means to test replication can never skip it silently ({@code .ci/litestream} installs it).
 */
public final class Litestream implements AutoCloseable {
    public static final String BIN_PROPERTY = "jss.litestream.bin";
    public static final String BIN_VARIABLE = "JSS_LITESTREAM_BIN";

    private final Path binary;
    private final Path log;
    private final Process process;

    private Litestream(Path binary, Path log, Process process) {
        this.binary = binary;
        this.log = log;
        this.process = process;
    }

    /**
     * The program, or the calling test skipped (failed, where Litestream is required) with one line saying why.
     */
    public static Path find() {
        String property = System.getProperty(BIN_PROPERTY);
        String named = property != null ? property : System.getenv(BIN_VARIABLE);
        String why;
        if (named != null && !named.isEmpty()) {
            Path given = Path.of(named);
            if (Files.isExecutable(given)) {
                return given;
            }
            why = named + " (from " + BIN_PROPERTY + " or " + BIN_VARIABLE + ") is not an executable file";
        } else if (named == null && onPath() != null) {
            return onPath();
        } else {
            why = "no litestream program: set " + BIN_VARIABLE + " or -D" + BIN_PROPERTY
                    + " to one, or put it on the PATH (.ci/litestream installs it from npm)";
        }
        if (Boolean.getBoolean("jss.litestream.required")
                || "true".equalsIgnoreCase(System.getenv("JSS_LITESTREAM_REQUIRED"))) {
            throw new IllegalStateException("Litestream is required for these tests but " + why);
        }
        System.err.println("Litestream tests skipped: " + why);
        Assumptions.abort("Litestream tests skipped: " + why);
        return null;
    }

    private static Path onPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "litestream");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Starts {@code litestream replicate} on the database, to a file replica in {@code replica}, looking at the log
     * and syncing to the replica every 100 ms (the defaults are a second), its output in {@code litestream.log}
     * beside the configuration it writes into {@code work}.
     */
    public static Litestream replicate(Path binary, Path database, Path replica, Path work) throws IOException {
        Path config = work.resolve("litestream.yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "dbs:",
                        "  - path: " + database.toAbsolutePath(),
                        "    monitor-interval: 100ms",
                        "    replicas:",
                        "      - type: file",
                        "        path: " + replica.toAbsolutePath(),
                        "        sync-interval: 100ms",
                        ""));
        Path log = work.resolve("litestream.log");
        Process process = new ProcessBuilder(binary.toString(), "replicate", "-config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new Litestream(binary, log, process);
    }

    /** {@code litestream restore}: the latest state of the file replica, into a new file {@code target}. */
    public static void restore(Path binary, Path replica, Path target) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "restore",
                "-o",
                target.toString(),
                replica.toAbsolutePath().toUri().toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    public Path binary() {
        return binary;
    }

    /** What {@code litestream replicate} printed so far, for a failure's message. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGKILL: gone with the machine, nothing flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
