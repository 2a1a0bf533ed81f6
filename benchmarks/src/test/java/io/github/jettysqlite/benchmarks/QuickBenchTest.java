package io.github.jettysqlite.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smoke run the build executes: every section of the benchmark with tiny durations and N. It asserts only that
 * every operation ran on every subject and returned correct data, never a figure.
 */
class QuickBenchTest {
    @TempDir
    Path dir;

    @Test
    void everyOperationRunsAndReturnsCorrectData() throws Exception {
        Options options = Options.parse(
                "--quick",
                "--data-dir",
                dir.resolve("data").toString(),
                "--out",
                dir.toString(),
                "--postgres-url",
                PostgresServer.get().url());

        Report report = new Bench(options).run();

        assertThat(report.problems()).isEmpty();
        int expectedCells = 0;
        for (String subject : Subjects.ALL) {
            int operations = subject.startsWith("raw") ? Operation.values().length : 6;
            expectedCells +=
                    operations * options.threads().size() * options.sizes().size();
        }
        assertThat(report.operationCount()).isEqualTo(expectedCells);
        assertThat(report.postgresCount())
                .isEqualTo(PostgresBench.SUBJECTS.size()
                        * Operation.STORE_OPERATIONS.size()
                        * options.threads().size()
                        * options.sizes().size());
        String markdown = Files.readString(report.write());
        assertThat(markdown)
                .contains(
                        "## Targets",
                        "## Operations",
                        "## Expiry",
                        "## Disk space",
                        "## HTTP end to end",
                        "## PostgreSQL")
                .doesNotContain("Skipped: no server named");
    }
}
