package io.github.jettysqlite.sessions.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code migrate}: a live SQLite database moves to a real PostgreSQL server, and a second run changes nothing. */
class MigrateCommandTest {
    private static final Pattern COPIED = Pattern.compile("copied (\\d+) of (\\d+) live sessions");
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cli = SessionsCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    @Test
    void liveDatabaseMovesToPostgresAndASecondRunChangesNothing() throws Exception {
        Path file = dir.resolve("sessions.db");
        String url = PostgreSQLServer.get().freshSchemaUrl();
        long now = System.currentTimeMillis();
        List<String> rowsAfterFirstRun;
        try (LiveStore source = new LiveStore(file, "_shop")) {
            source.put("fresh", now + HOUR, "alice");
            source.put("immortal", 0, "root");
            source.put("stale", now - 60_000, "bob");
            source.startWriting();
            // written() counts the session being written too: past 50, the first 50 are committed.
            Waiting.until("the live writer's first 50 sessions", () -> source.written() > 50);

            // While the source is written to: everything live at the time is copied, with progress.
            Run first = run("migrate", "--from", file.toString(), "--to", url, "--batch", "7");
            assertThat(first.exit()).as(first.err()).isZero();
            // Not a terminal here: plain progress lines, the last one saying the copy is done.
            assertThat(first.err()).containsPattern("copying: \\d+/\\d+ done");
            long[] firstCounts = counts(first.out());
            assertThat(firstCounts[0]).isEqualTo(firstCounts[1]).isGreaterThanOrEqualTo(52);

            source.close();
            rowsAfterFirstRun = rows(url);
            assertThat(rowsAfterFirstRun).hasSize((int) firstCounts[1]);
        }

        // The writer has stopped: the second run picks up what it wrote since, and copies every live row again.
        Run second = run("migrate", "--from", file.toString(), "--to", url);
        assertThat(second.exit()).as(second.err()).isZero();
        List<String> sourceRows = liveRows("jdbc:sqlite:" + file);
        assertThat(rows(url)).containsExactlyInAnyOrderElementsOf(sourceRows).containsAll(rowsAfterFirstRun);
        assertThat(sourceRows).noneMatch(row -> row.startsWith("stale|"));

        // A third run over unchanged data leaves the target exactly as it was.
        Run third = run("migrate", "--from", file.toString(), "--to", url);
        assertThat(third.exit()).as(third.err()).isZero();
        assertThat(counts(third.out())).containsExactly(0, sourceRows.size());
        assertThat(third.out()).contains("(" + sourceRows.size() + " unchanged,");
        assertThat(rows(url)).containsExactlyInAnyOrderElementsOf(sourceRows);

        // A store on PostgreSQL serves the moved sessions, attributes and all.
        try (LiveStore target = new LiveStore(url, "_shop")) {
            SessionData fresh = target.store.load("fresh");
            assertThat(fresh.getAttribute("user")).isEqualTo("alice");
            assertThat(target.store.load("immortal").getExpiry()).isZero();
            assertThat(target.store.load("stale")).isNull();

            // Once a server on PostgreSQL has saved a session again, migrating once more must not undo that.
            awaitClockPast("the save copied from the file", fresh.getLastSaved());
            target.put("fresh", System.currentTimeMillis() + HOUR, "alice-on-postgres");
            Run fourth = run("migrate", "--from", file.toString(), "--to", url);
            assertThat(fourth.exit()).as(fourth.err()).isZero();
            assertThat(fourth.out()).contains("1 kept: the target's were newer");
            assertThat(target.store.load("fresh").getAttribute("user")).isEqualTo("alice-on-postgres");
        }
    }

    @Test
    void sessionDeletedOnTheTargetSinceTheFirstRunStaysDeleted() throws Exception {
        Path file = dir.resolve("sessions.db");
        String url = PostgreSQLServer.get().freshSchemaUrl();
        long expiry = System.currentTimeMillis() + HOUR;
        try (LiveStore source = new LiveStore(file, "_shop")) {
            source.put("logged-out", expiry, "alice");
            source.put("still-in", expiry, "bob");
            assertThat(run("migrate", "--from", file.toString(), "--to", url).exit())
                    .isZero();

            // The user logs out on a node already on PostgreSQL, while the old node still writes the file.
            try (LiveStore target = new LiveStore(url, "_shop")) {
                assertThat(target.store.delete("logged-out")).isTrue();
            }
            awaitClockPast("the saves copied", source.store.load("still-in").getLastSaved());
            source.update("logged-out", "alice-again");
            source.update("still-in", "bob-again");
            source.put("new-since", expiry, "carol");
        }

        Run second = run("migrate", "--from", file.toString(), "--to", url);

        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.out()).contains("copied 2 of 3 live sessions").contains("1 left deleted");
        try (LiveStore target = new LiveStore(url, "_shop")) {
            assertThat(target.store.load("logged-out")).isNull();
            assertThat(target.store.load("still-in").getAttribute("user")).isEqualTo("bob-again");
            assertThat(target.store.load("new-since").getAttribute("user")).isEqualTo("carol");
        }
    }

    @Test
    void unreachableTargetIsOneLineAndExitOne() throws Exception {
        Path file = dir.resolve("sessions.db");
        try (LiveStore source = new LiveStore(file, "_shop")) {
            source.put("fresh", System.currentTimeMillis() + HOUR, "alice");
        }
        Run run = run("migrate", "--from", file.toString(), "--to", "jdbc:postgresql://127.0.0.1:1/none?user=x");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err().strip())
                .startsWith("error: Session database jdbc:postgresql://127.0.0.1:1/none")
                .contains("cannot be reached")
                .doesNotContain("\n");
    }

    @Test
    void unsupportedTargetUrlIsRefused() throws Exception {
        Path file = dir.resolve("sessions.db");
        try (LiveStore source = new LiveStore(file, "_shop")) {
            source.put("fresh", System.currentTimeMillis() + HOUR, "alice");
        }
        Run run = run("migrate", "--from", file.toString(), "--to", "jdbc:mysql://127.0.0.1/app");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("only jdbc:sqlite: and jdbc:postgresql: URLs are supported");
    }

    /**
     * Waits until the clock has moved past a save, so that a save made next is newer than it: what a migration
     * compares.
     */
    private static void awaitClockPast(String save, long savedMs) throws Exception {
        Waiting.until("the clock past " + save, () -> System.currentTimeMillis() > savedMs);
    }

    private static long[] counts(String out) {
        Matcher m = COPIED.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    /** Every row of the table, every column, as text (the engines' collations may order them differently). */
    private static List<String> rows(String url) throws Exception {
        return select(url, "SELECT * FROM jetty_sessions");
    }

    private static List<String> liveRows(String url) throws Exception {
        return select(
                url,
                "SELECT * FROM jetty_sessions WHERE expires_at IS NULL OR expires_at > "
                        + (2440587.5 + System.currentTimeMillis() / 86_400_000.0));
    }

    private static List<String> select(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql + " ORDER BY context_path, virtual_host, session_id")) {
            List<String> rows = new ArrayList<>();
            while (r.next()) {
                StringBuilder row = new StringBuilder();
                for (String column : List.of(
                        "session_id",
                        "context_path",
                        "virtual_host",
                        "last_node",
                        "created_ms",
                        "accessed_ms",
                        "last_accessed_ms",
                        "cookie_set_ms",
                        "last_saved_ms",
                        "max_inactive_ms")) {
                    row.append(r.getString(column)).append('|');
                }
                double expiry = r.getDouble("expires_at");
                row.append(r.wasNull() ? "null" : Double.toString(expiry)).append('|');
                row.append(HexFormat.of().formatHex(r.getBytes("attributes")));
                rows.add(row.toString());
            }
            return rows;
        }
    }
}
