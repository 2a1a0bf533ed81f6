package io.github.jettysqlite.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
        Optional<PostgreSQLServer> postgres = PostgreSQLServer.available();
        List<String> arguments = new ArrayList<>(
                List.of("--quick", "--data-dir", dir.resolve("data").toString(), "--out", dir.toString()));
        postgres.ifPresent(server -> arguments.addAll(List.of("--postgres-url", server.url())));
        Options options = Options.parse(arguments.toArray(String[]::new));

        Report report = new Bench(options).run();
        String markdown = Files.readString(report.write());

        assertThat(report.problems()).isEmpty();
        int expectedCells = 0;
        for (String subject : Subjects.ALL) {
            int operations = subject.startsWith("raw")
                    ? Operation.values().length - 1 // every operation but the conflicting update
                    : Operation.STORE_OPERATIONS.size();
            expectedCells += operations
                    * options.threads().size()
                    * options.sizes().size()
                    * options.shapes().size();
        }
        assertThat(report.operationCount()).isEqualTo(expectedCells);
        int postgresCells = postgres.isEmpty()
                ? 0
                : PostgreSQLBench.SUBJECTS.size()
                        * Operation.STORE_OPERATIONS.size()
                        * options.threads().size()
                        * options.sizes().size();
        assertThat(report.postgresCount()).isEqualTo(postgresCells);
        // Two nodes on one database: every cache under every traffic, on SQLite and, when there is one, PostgreSQL.
        int engines = postgres.isPresent() ? 2 : 1;
        assertThat(report.twoNode().count())
                .isEqualTo(engines * TwoNodeBench.CACHES.size() * TwoNodeBench.TRAFFIC.size());
        assertThat(report.heap().count())
                .isEqualTo(HeapBench.SUBJECTS.size() * options.shapes().size());
        // The chart is well-formed SVG (the parse throws otherwise); its figures are never asserted.
        ThroughputChart.check(dir.resolve(ThroughputChart.FILE));
        assertThat(markdown)
                .contains(
                        "## Targets",
                        "## Operations",
                        "## Expiry",
                        "## Disk space",
                        "## Heap per cached session",
                        "shape `ten`",
                        "## HTTP end to end",
                        "## What each write costs the disk",
                        "## What the safeguards cost",
                        "## Two nodes, one database");
        if (postgres.isPresent()) {
            assertThat(markdown).contains("## PostgreSQL").doesNotContain("Skipped: no server named");
        }
    }
}
