package io.github.jettysqlite.sessions.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run as its own process with java -jar against a database another process keeps writing. */
class CliJarIT {
    @TempDir
    Path dir;

    @Test
    void packagedJarRunsStatsAndPurgeOnALiveDatabase() throws Exception {
        Path db = dir.resolve("sessions.db");
        try (LiveStore live = new LiveStore(db, "_app")) {
            live.put("old", System.currentTimeMillis() - 1_000, "x");
            live.startWriting();

            String stats = runJar(0, "--db", db.toString(), "stats");
            String purge = runJar(0, "--db", db.toString(), "purge-expired", "--older-than", "0", "--yes");
            String missing = runJar(1, "--db", dir.resolve("missing.db").toString(), "check");

            assertThat(stats).contains("_app");
            assertThat(purge).contains("removed 1 expired sessions");
            assertThat(missing).contains("does not exist");
            assertThat(live.written()).isPositive();
        }
    }

    @Test
    void databaseComesFromJettySessionsDbInTheEnvironment() throws Exception {
        Path db = dir.resolve("sessions.db");
        try (LiveStore live = new LiveStore(db, "_app")) {
            live.put("s1", System.currentTimeMillis() + 60_000, "x");
        }

        String list = runJar(Map.of("JETTY_SESSIONS_DB", db.toString()), 0, "list");
        String neither = runJar(Map.of(), 2, "stats");

        assertThat(list).contains("s1\t_app");
        assertThat(neither).contains("JETTY_SESSIONS_DB");
    }

    @Test
    void versionComesFromTheJarsManifest() throws Exception {
        assertThat(runJar(0, "--version").trim())
                .isEqualTo("jetty-sqlite-sessions " + System.getProperty("project.version"));
    }

    /** The exit codes README documents: 0 done, 1 the command ran and failed, 2 the command line is wrong. */
    @Test
    void exitCodesSayWhatWentWrong() throws Exception {
        Path db = dir.resolve("sessions.db");
        try (LiveStore live = new LiveStore(db, "_app")) {
            live.put("s1", System.currentTimeMillis() + 60_000, "x");
        }
        assertThat(runJar(0, "stats", "--db", db.toString(), "--json")).startsWith("{\"database\":");
        assertThat(runJar(1, "--db", dir.resolve("missing.db").toString(), "stats"))
                .contains("does not exist");
        assertThat(runJar(2, "--db", db.toString(), "stats", "--no-such-option"))
                .contains("--no-such-option");
        assertThat(runJar(2, "--db", db.toString(), "no-such-command")).contains("no-such-command");
        assertThat(runJar(2)).contains("Missing required subcommand");
    }

    /**
     * Under a pseudo-terminal ({@code script}), progress is a bar redrawn in place; with standard error sent to a file
     * from that same terminal, where only standard output is still a terminal, it is plain lines.
     */
    @Test
    void progressIsABarOnlyWhenStandardErrorIsATerminal() throws Exception {
        Path script = Path.of("/usr/bin/script");
        Assumptions.assumeTrue(Files.isExecutable(script), "util-linux's script is needed for a pseudo-terminal");
        Path db = dir.resolve("sessions.db");
        try (LiveStore live = new LiveStore(db, "_app")) {
            live.put("old1", System.currentTimeMillis() - 1_000, "x");
        }
        String purge = javaJar() + " --db " + db + " purge-expired --older-than 0 --yes";
        Path errors = dir.resolve("errors.log");

        String onTerminal = run(script.toString(), "-qec", purge, "/dev/null");
        try (LiveStore live = new LiveStore(db, "_app")) {
            live.put("old2", System.currentTimeMillis() - 1_000, "x");
        }
        run(script.toString(), "-qec", purge + " 2>" + errors, "/dev/null");

        assertThat(onTerminal).contains("purging [").contains("] 1/1");
        assertThat(Files.readString(errors))
                .isEqualTo("purging: 0/1" + System.lineSeparator() + "purging: 1/1 done" + System.lineSeparator());
    }

    private static String javaJar() {
        return Path.of(System.getProperty("java.home"), "bin", "java") + " -jar " + System.getProperty("cli.jar");
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static String runJar(int expectedExit, String... args) throws Exception {
        return runJar(Map.of(), expectedExit, args);
    }

    /** Runs the jar with these variables set, and JETTY_SESSIONS_DB only when among them. */
    private static String runJar(Map<String, String> variables, int expectedExit, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("cli.jar")));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("JETTY_SESSIONS_DB");
        builder.environment().putAll(variables);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isEqualTo(expectedExit);
        return output;
    }
}
