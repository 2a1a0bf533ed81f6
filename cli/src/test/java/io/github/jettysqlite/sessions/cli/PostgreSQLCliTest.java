package io.github.jettysqlite.sessions.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import picocli.CommandLine;

/** The inspection commands with {@code --db <jdbc:postgresql: url>}, while a store on that server keeps writing. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLCliTest {
    private String url;
    private LiveStore live;

    @BeforeEach
    void start() throws Exception {
        url = PostgreSQLServer.get().freshSchemaUrl();
        live = new LiveStore(url, "_shop");
        long now = System.currentTimeMillis();
        live.put("fresh", now + 3_600_000, "alice");
        live.put("stale1", now - 60_000, "bob");
        live.put("stale2", now - 120_000, "carol");
        live.startWriting();
    }

    @AfterEach
    void stop() throws Exception {
        live.close();
    }

    record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        return run(SessionsCli.commandLine(), args);
    }

    private static Run run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    /** Standard output as one JSON document, and nothing after it. */
    private static JsonNode json(Run run) throws Exception {
        return new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readTree(run.out());
    }

    @Test
    void statsListShowAndPurgeWorkOnTheServer() {
        Run stats = run("--db", url, "stats");
        assertThat(stats.exit()).as(stats.err()).isZero();
        assertThat(stats.out())
                .contains("database        " + url.substring(0, url.indexOf('?')))
                .contains("journal none (PostgreSQL)")
                .doesNotContain("file size")
                .containsPattern("_shop\\s+0\\.0\\.0\\.0\\s+\\d+\\s+2\\s+0");

        Run expired = run("--db", url, "list", "--expired");
        assertThat(expired.exit()).as(expired.err()).isZero();
        assertThat(expired.out()).contains("stale1", "stale2").doesNotContain("fresh");

        Run show = run("--db", url, "show", "fresh", "--values");
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.out()).contains("alice");

        Run purge = run("--db", url, "purge-expired", "--older-than", "0", "--yes");
        assertThat(purge.exit()).as(purge.err()).isZero();
        assertThat(purge.out()).contains("removed 2 expired sessions");
    }

    @Test
    void deletionsOnTheServerTakeYesCountInADryRunAndReportAsJson() throws Exception {
        Run refused = run("--db", url, "delete-all");
        Run dryRun = run("--db", url, "purge-expired", "--older-than", "0", "--dry-run", "--json");
        Run stillThere = run("--db", url, "list", "--expired");
        Run purge = run("--db", url, "purge-expired", "--older-than", "0", "--yes", "--json");
        Run deleteAll = run("--db", url, "delete-all", "--yes", "--quiet");

        assertThat(refused.exit()).isEqualTo(SessionsCli.USAGE);
        assertThat(refused.err()).contains("pass --yes");
        assertThat(json(dryRun).get("dryRun").asBoolean()).isTrue();
        assertThat(json(dryRun).get("sessions").asLong()).isEqualTo(2);
        assertThat(stillThere.out()).contains("stale1", "stale2");
        assertThat(purge.exit()).as(purge.err()).isZero();
        assertThat(json(purge).get("sessions").asLong()).isEqualTo(2);
        assertThat(json(purge).get("database").asText()).isEqualTo(url.substring(0, url.indexOf('?')));
        assertThat(deleteAll.exit()).as(deleteAll.err()).isZero();
        assertThat(deleteAll.out()).isEmpty();
        assertThat(deleteAll.err()).isEmpty();
    }

    @Test
    void jettySessionsDbMayNameTheServer() throws Exception {
        Run list = run(
                SessionsCli.commandLine(new SessionsCli(Map.of("JETTY_SESSIONS_DB", url)::get, null)),
                "list",
                "--expired",
                "--json");

        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(json(list)).extracting(n -> n.get("id").asText()).containsExactly("stale1", "stale2");
    }

    @Test
    void unknownTableOnTheServerIsOneLine() {
        Run run = run("--db", url, "--table", "nothing_here", "stats");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err().strip())
                .endsWith("has no table named 'nothing_here'")
                .doesNotContain("\n");
    }

    @Test
    void malformedOrUnreachableUrlNeverPrintsItsPassword() throws Exception {
        for (String bad : new String[] {
            "jdbc:postgresql://127.0.0.1:notaport/db?user=x&password=s3cret-in-url",
            "jdbc:postgresql://127.0.0.1:1/db?user=x&password=s3cret-in-url",
            "jdbc:postgresql://x:s3cret-in-url@127.0.0.1:1/db"
        }) {
            for (String[] command : new String[][] {{"stats"}, {"upgrade-schema", "--yes"}}) {
                List<String> args = new ArrayList<>(List.of("--db", bad));
                args.addAll(List.of(command));
                Run run = run(args.toArray(String[]::new));

                assertThat(run.exit()).as(args.toString()).isEqualTo(1);
                assertThat(run.err()).as(args.toString()).startsWith("error: ").doesNotContain("s3cret");
            }
            Run asJson = run("--db", bad, "stats", "--json");
            assertThat(asJson.exit()).isEqualTo(1);
            assertThat(json(asJson).get("error").asText()).isNotEmpty();
            assertThat(asJson.out()).doesNotContain("s3cret");
            // Not in the stack traces either, where drivers and pools repeat the URL they were given.
            Run verbose = run("--verbose", "--db", bad, "purge-expired", "--yes");
            assertThat(verbose.exit()).isEqualTo(1);
            assertThat(verbose.err()).contains("\tat ").doesNotContain("s3cret");
        }
    }
}
