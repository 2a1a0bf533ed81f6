package io.github.jettysqlite.sessions.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published jars as named modules, as an application on the module path meets them: the command line run with
 * {@code java -p ... -m}, so a module descriptor that misses a {@code requires}, an export or the engines' service
 * wiring fails here (every other test runs on the class path).
 */
class ModulePathIT {
    /** What the command line needs at run time; the tests' own libraries stay off the module path. */
    private static final Pattern RUNTIME = Pattern.compile(".*(/classes|/(jetty-sqlite-sessions[^/]*|jetty-[^/]*"
            + "|slf4j-api[^/]*|sqlite-jdbc[^/]*|picocli[^/]*|HikariCP[^/]*|postgresql[^/]*)\\.jar)$");

    @TempDir
    Path dir;

    @Test
    void theCommandLineRunsFromTheModulePathOnSQLiteAndFindsPostgreSQLsEngine() throws Exception {
        Path db = dir.resolve("sessions.db");
        try (LiveStore live = new LiveStore(db, "_app")) {
            live.put("s1", System.currentTimeMillis() + 60_000, "x");
        }

        Run stats = run("--db", db.toString(), "stats");
        assertThat(stats.exit()).as(stats.describe()).isZero();
        assertThat(stats.output()).contains("_app");

        // Nothing listens on port 1: the PostgreSQL engine, found through the module's service, fails to connect,
        // where without the service wiring the tool would say the PostgreSQL artifact is missing.
        Run postgres = run("--db", "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2", "stats");
        assertThat(postgres.exit()).as(postgres.describe()).isEqualTo(1);
        assertThat(postgres.output()).doesNotContain("jetty-sqlite-sessions-postgresql");
    }

    /** What the command did, and the module path it ran on, for a failure's message. */
    private record Run(int exit, String output, String modulePath) {
        String describe() {
            return output + "\n(module path: " + modulePath + ")";
        }
    }

    private static Run run(String... args) throws Exception {
        String modulePath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry ->
                        RUNTIME.matcher(entry.replace(File.separatorChar, '/')).matches())
                .filter(entry -> !entry.contains("test-classes") && !entry.endsWith("-tests.jar"))
                .filter(entry -> Files.exists(Path.of(entry)))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-p",
                modulePath,
                "-m",
                "io.github.jettysqlite.sessions.cli/io.github.jettysqlite.sessions.cli.SessionsCli"));
        command.addAll(List.of(args));
        Path output = Files.createTempFile("module-path-run", ".txt");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().remove("JETTY_SESSIONS_DB");
        Process process = builder.start();
        try {
            // A child that hangs fails the test rather than the build.
            assertThat(process.waitFor(60, TimeUnit.SECONDS))
                    .as("the command ended")
                    .isTrue();
            return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8), modulePath);
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(output);
        }
    }
}
