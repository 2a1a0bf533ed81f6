package io.github.jettysqlite.sessions.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every command, run against a database that a started store keeps writing to meanwhile. */
class SessionsCliTest {
    @TempDir
    Path dir;

    private Path db;
    private LiveStore live;

    @BeforeEach
    void start() throws Exception {
        db = dir.resolve("sessions.db");
        SQLiteSessionSettings settings = new SQLiteSessionSettings(db);
        // The sessions' "user" attribute names who is logged in, so that --principal finds them.
        settings.setPrincipalAttribute("user");
        live = new LiveStore(settings, "_shop");
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

    /** Runs with this process's variables and no terminal (surefire gives its JVM none). */
    private Run run(String... args) {
        return run(SessionsCli.commandLine(), args);
    }

    /** Runs with the given variables and terminal (null: none). */
    private static Run run(Map<String, String> environment, Terminal terminal, String... args) {
        return run(SessionsCli.commandLine(new SessionsCli(environment::get, terminal)), args);
    }

    private static Run run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Standard output as one JSON document, and nothing after it. */
    private static JsonNode json(Run run) throws Exception {
        return new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readTree(run.out());
    }

    private Run onDb(String... args) {
        List<String> all = new ArrayList<>(List.of("--db", db.toString()));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new));
    }

    @Test
    void globalOptionsWorkAfterTheCommandToo() {
        Run after = run("stats", "--db", db.toString(), "--table", "jetty_sessions");
        Run before = run("--db", db.toString(), "--table", "jetty_sessions", "stats");
        Run wrongTable = run("--table", "jetty_sessions", "list", "--db", db.toString(), "--table", "other_table");

        assertThat(after.exit()).as(after.err()).isZero();
        assertThat(after.out()).contains("_shop");
        assertThat(before.out()).contains("_shop");
        assertThat(wrongTable.exit()).isEqualTo(SessionsCli.FAILED);
        assertThat(wrongTable.err()).contains("other_table");
    }

    @Test
    void statsListAndShowPrintOneJsonDocumentEach() throws Exception {
        ObjectMapper json = new ObjectMapper();

        JsonNode stats = json.readTree(onDb("stats", "--json").out());
        JsonNode list = json.readTree(
                onDb("list", "--context", "_shop", "--expired", "--json").out());
        JsonNode show = json.readTree(onDb("show", "fresh", "--json").out());

        assertThat(stats.get("schemaVersion").asInt()).isEqualTo(4);
        assertThat(stats.get("expired").asLong()).isEqualTo(2);
        JsonNode shop = stats.get("contexts").get(0);
        assertThat(shop.get("contextPath").asText()).isEqualTo("_shop");
        assertThat(shop.get("virtualHost").asText()).isEqualTo("0.0.0.0");
        assertThat(list.isArray()).isTrue();
        assertThat(list).extracting(n -> n.get("id").asText()).containsExactly("stale1", "stale2");
        assertThat(list.get(0).get("expired").asBoolean()).isTrue();
        assertThat(show).hasSize(1);
        assertThat(show.get(0).get("id").asText()).isEqualTo("fresh");
        assertThat(show.get(0).get("expired").asBoolean()).isFalse();
        assertThat(show.get(0).get("attributes").get("user").get("bytes").asInt())
                .isPositive();
    }

    @Test
    void jsonEscapesQuotesControlCharactersAndEverythingPastAscii() throws Exception {
        String awkward = "\"Zoë\" \\ 東京\n\t\u0001 😀";
        live.put("awkward", System.currentTimeMillis() + 3_600_000, awkward);

        Run show = onDb("show", "awkward", "--values", "--json");

        assertThat(show.exit()).as(show.err()).isZero();
        // Plain ASCII whatever the platform's encoding, and the same text once parsed.
        assertThat(show.out().strip()).matches("\\p{ASCII}*").doesNotContain("\n");
        JsonNode doc = new ObjectMapper().readTree(show.out());
        assertThat(doc.get(0).get("attributes").get("user").get("value").asText())
                .isEqualTo(awkward);
    }

    @Test
    void progressOutsideATerminalIsAFewPlainLines() {
        StringWriter err = new StringWriter();
        long[] now = {0};
        ProgressBar progress = new ProgressBar(new PrintWriter(err, true), "copying", false, () -> now[0]);
        for (int done = 0; done <= 1000; done++) {
            now[0] += 10_000_000; // 10 ms a step: 10 s in all
            progress.update(done, 1000);
        }

        assertThat(err.toString()).doesNotContain("\r");
        assertThat(err.toString().lines()).hasSizeBetween(2, 4).last().isEqualTo("copying: 1000/1000 done");
    }

    @Test
    void progressOfATaskWithNothingToDoSaysDoneOnce() {
        StringWriter err = new StringWriter();
        ProgressBar progress = new ProgressBar(new PrintWriter(err, true), "deleting", false, () -> 0);
        progress.update(0, 0);
        progress.update(0, 0);

        assertThat(err.toString().lines()).containsExactly("deleting: 0/0 done");
    }

    @Test
    void statsCountsSessionsOfTheLiveDatabase() {
        Run stats = onDb("stats");

        assertThat(stats.exit()).isZero();
        assertThat(stats.out())
                .contains("schema version 4")
                .contains("journal wal")
                .containsPattern("_shop\\s+0\\.0\\.0\\.0\\s+\\d+\\s+2\\s+0");
    }

    @Test
    void listFiltersExpiredSessionsAndPages() {
        Run expired = onDb("list", "--context", "_shop", "--expired");
        Run firstLive = onDb("list", "--live", "--limit", "1");

        assertThat(expired.exit()).isZero();
        assertThat(expired.out().lines())
                .hasSize(2)
                .allMatch(l -> l.startsWith("stale"))
                .allMatch(l -> l.contains("(expired)"));
        assertThat(firstLive.out().lines()).hasSize(1);
    }

    @Test
    void showPrintsMetadataAndAttributeNamesAndValuesOnRequest() {
        Run names = onDb("show", "fresh");
        Run withValues = onDb("show", "fresh", "--values");

        assertThat(names.exit()).isZero();
        assertThat(names.out())
                .contains("session fresh in context _shop")
                .containsPattern("attribute user: \\d+ bytes")
                .doesNotContain("alice");
        assertThat(withValues.out()).contains("attribute user: java.lang.String = alice");
    }

    @Test
    void showWithAKeyRefusesTheValuesOfAnUnsealedRowUnlessTold() throws Exception {
        Path key = Files.writeString(dir.resolve("attribute.key"), "0123456789abcdef0123456789abcdef-key");

        Run refused = onDb("show", "fresh", "--values", "--attribute-key", "file:" + key);
        Run accepted = onDb("show", "fresh", "--values", "--attribute-key", "file:" + key, "--accept-unsealed");

        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("refuses unsealed rows");
        assertThat(accepted.exit()).as(accepted.err()).isZero();
        assertThat(accepted.out()).contains("= alice");
    }

    @Test
    void sealSealsEveryRowInPlaceAndRunningItAgainChangesNothing() throws Exception {
        Path file = dir.resolve("to-seal.db");
        Path key = Files.writeString(dir.resolve("attribute.key"), "0123456789abcdef0123456789abcdef-key");
        long expiry = System.currentTimeMillis() + 3_600_000;
        try (LiveStore keyless = new LiveStore(file, "_shop")) {
            for (int i = 0; i < 250; i++) {
                keyless.put("u" + i, expiry, "user" + i);
            }
        }
        String[] database = {"--db", file.toString(), "--json"};

        JsonNode before = json(run(concat(database, "seal", "--dry-run")));
        JsonNode withoutConsent = json(run(concat(database, "seal", "--attribute-key", "file:" + key)));
        JsonNode first = json(run(concat(database, "seal", "--attribute-key", "file:" + key, "--include-unsealed")));
        JsonNode second = json(run(concat(database, "seal", "--attribute-key", "file:" + key)));
        JsonNode after = json(run(concat(database, "seal", "--dry-run")));

        assertThat(before.get("rows").get("unsealed").asLong()).isEqualTo(250);
        assertThat(withoutConsent.get("sealed").asLong())
                .as("unsealed rows only when asked")
                .isZero();
        assertThat(withoutConsent.get("unverifiable").asLong()).isEqualTo(250);
        assertThat(first.get("sealed").asLong()).isEqualTo(250);
        assertThat(second.get("sealed").asLong()).isZero();
        assertThat(second.get("alreadyCurrent").asLong()).isEqualTo(250);
        assertThat(after.get("rows").size()).isEqualTo(1);
        assertThat(after.get("rows").fieldNames().next()).startsWith("sealed ");
        Run shown = run("--db", file.toString(), "show", "u7", "--values", "--attribute-key", "file:" + key);
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(shown.out()).contains("= user7");
    }

    @Test
    void sealWithoutAKeyIsAUsageError() {
        Run run = onDb("seal");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--attribute-key");
    }

    private static String[] concat(String[] first, String... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    @Test
    void showValuesRefusesAnUnsealedRowAsAStoreThatRefusesUnsealedRowsDoes() throws Exception {
        Path file = dir.resolve("sealed.db");
        Path key = Files.writeString(dir.resolve("attribute.key"), "0123456789abcdef0123456789abcdef-key");
        long expiry = System.currentTimeMillis() + 3_600_000;
        try (LiveStore keyless = new LiveStore(file, "_shop")) {
            keyless.put("planted", expiry, "mallory");
        }
        SQLiteSessionSettings sealing = new SQLiteSessionSettings(file);
        sealing.setAttributeKey("file:" + key);
        sealing.setAcceptUnsealedRows(false);
        try (LiveStore sealed = new LiveStore(sealing, "_shop")) {
            sealed.put("signed", expiry, "alice");
            // The policy show --values follows: this store will not read the row written without a key.
            assertThatThrownBy(() -> sealed.store.load("planted")).hasStackTraceContaining("refuses unsealed rows");
        }

        Run signed = run("--db", file.toString(), "show", "signed", "--values", "--attribute-key", "file:" + key);
        Run planted = run("--db", file.toString(), "show", "planted", "--values", "--attribute-key", "file:" + key);

        assertThat(signed.exit()).as(signed.err()).isZero();
        assertThat(signed.out()).contains("attribute user: java.lang.String = alice");
        assertThat(planted.exit()).isEqualTo(SessionsCli.FAILED);
        assertThat(planted.err()).contains("refuses unsealed rows");
        assertThat(planted.out()).doesNotContain("mallory");
    }

    @Test
    void showReportsAnAttributeTheFilterRejectsInOneLine() throws Exception {
        SessionData counted = live.store.load("fresh");
        counted.setAttribute("visits", 7);
        live.store.store("fresh", counted);

        // Names and sizes come from the row's layout without deserializing: the filter is not even asked.
        assertThat(onDb("show", "fresh", "--filter", "!java.lang.Integer").exit())
                .isZero();
        Run rejected = onDb("show", "fresh", "--values", "--filter", "!java.lang.Integer");

        assertThat(rejected.exit()).isEqualTo(1);
        assertThat(rejected.err())
                .contains("cannot read the attributes")
                .contains("REJECTED")
                .doesNotContain("\tat ");
    }

    @Test
    void purgeExpiredKeepsSessionsWithinTheGracePeriodUnlessToldOtherwise() throws Exception {
        // stale1 expired a minute ago, stale2 two: within Jetty's default grace of an hour, both may still be in use.
        Run withinGrace = onDb("purge-expired", "--yes");
        assertThat(withinGrace.exit()).as(withinGrace.err()).isZero();
        assertThat(withinGrace.out()).contains("removed 0 expired sessions");
        Run olderThan90s = onDb("purge-expired", "--older-than", "90s", "--yes");
        assertThat(olderThan90s.out()).contains("removed 1 expired sessions");
        assertThat(count("SELECT count(*) FROM jetty_sessions WHERE session_id = 'stale2'"))
                .isZero();
        assertThat(onDb("purge-expired", "--older-than", "soon").err()).contains("is not a duration");
    }

    @Test
    void purgeExpiredRemovesExactlyTheExpiredSessions() throws Exception {
        Run purge = onDb("purge-expired", "--older-than", "0", "--yes");

        assertThat(purge.exit()).isZero();
        assertThat(purge.out()).contains("removed 2 expired sessions");
        assertThat(purge.err()).contains("purging: 2/2 done");
        assertThat(count("SELECT count(*) FROM jetty_sessions WHERE session_id LIKE 'stale%'"))
                .isZero();
        assertThat(count("SELECT count(*) FROM jetty_sessions WHERE session_id = 'fresh'"))
                .isEqualTo(1);
    }

    @Test
    void aUsersSessionsAreListedAndDeletedByPrincipalAndById() throws Exception {
        long now = System.currentTimeMillis();
        live.put("fresh2", now + 3_600_000, "alice");
        live.put("dave1", now + 3_600_000, "dave");

        JsonNode alices = json(onDb("list", "--principal", "alice", "--json"));
        Run text = onDb("list", "--principal", "alice");
        Run refused = onDb("delete", "--principal", "alice");
        JsonNode dryRun = json(onDb("delete", "--principal", "alice", "--dry-run", "--json"));

        List<String> ids = new ArrayList<>();
        alices.forEach(session -> {
            ids.add(session.get("id").asText());
            assertThat(session.get("principal").asText()).isEqualTo("alice");
        });
        assertThat(ids).containsExactlyInAnyOrder("fresh", "fresh2");
        assertThat(text.out().lines()).hasSize(2).allSatisfy(line -> assertThat(line)
                .contains("user=alice"));
        assertThat(refused.exit()).isEqualTo(SessionsCli.USAGE);
        assertThat(refused.err()).contains("pass --yes");
        assertThat(dryRun.get("sessions").asLong()).isEqualTo(2);
        assertThat(dryRun.get("principal").asText()).isEqualTo("alice");
        assertThat(count("SELECT count(*) FROM jetty_sessions WHERE session_id IN ('fresh', 'fresh2')"))
                .isEqualTo(2);

        JsonNode deleted = json(onDb("delete", "--principal", "alice", "--yes", "--json"));
        JsonNode byId = json(onDb("delete", "--id", "dave1", "--yes", "--json"));

        assertThat(deleted.get("sessions").asLong()).isEqualTo(2);
        assertThat(byId.get("sessions").asLong()).isEqualTo(1);
        assertThat(json(onDb("list", "--principal", "alice", "--json"))).isEmpty();
        assertThat(count("SELECT count(*) FROM jetty_sessions WHERE session_id IN ('fresh', 'fresh2', 'dave1')"))
                .isZero();
        assertThat(live.store.load("stale1")).as("other users' sessions stay").isNotNull();
        assertThat(onDb("delete").exit()).as("delete names whose sessions").isEqualTo(SessionsCli.USAGE);
        Run nothing = onDb("delete", "--id", "no-such-session", "--yes");
        assertThat(nothing.exit())
                .as("an id that matches nothing is no success")
                .isEqualTo(SessionsCli.FAILED);
        assertThat(nothing.err()).contains("no session with id no-such-session");
    }

    @Test
    void deleteAllRefusesWithoutConfirmationAndDeletesWithIt() throws Exception {
        Run refused = onDb("delete-all");
        assertThat(refused.exit()).isEqualTo(SessionsCli.USAGE);
        assertThat(refused.err().strip()).contains("pass --yes").doesNotContain("\n");
        assertThat(count("SELECT count(*) FROM jetty_sessions WHERE session_id = 'fresh'"))
                .isEqualTo(1);

        Run deleted = onDb("delete-all", "--yes");

        assertThat(deleted.exit()).isZero();
        assertThat(deleted.out()).containsPattern("removed \\d+ sessions");
        assertThat(count("SELECT count(*) FROM jetty_sessions WHERE session_id IN ('fresh', 'stale1', 'stale2')"))
                .isZero();
    }

    @Test
    void deletingCommandsRefuseWithoutATerminalUnlessToldYes() throws Exception {
        for (String[] command :
                new String[][] {{"delete-all"}, {"purge-expired", "--older-than", "0"}, {"upgrade-schema"}}) {
            Run refused = onDb(command);

            assertThat(refused.exit()).as(command[0]).isEqualTo(SessionsCli.USAGE);
            assertThat(refused.out()).as(command[0]).isEmpty();
            assertThat(refused.err().strip())
                    .as(command[0])
                    .startsWith("error: " + command[0])
                    .contains("pass --yes")
                    .doesNotContain("\n");
        }
        assertThat(count("SELECT count(*) FROM jetty_sessions WHERE session_id IN ('fresh', 'stale1', 'stale2')"))
                .isEqualTo(3);
    }

    @Test
    void dryRunCountsWhatWouldGoAndDeletesNothing() throws Exception {
        Run purge = onDb("purge-expired", "--older-than", "0", "--dry-run");
        Run purgePastGrace = onDb("purge-expired", "--older-than", "90s", "--dry-run", "--json");
        Run deleteAll = onDb("delete-all", "--dry-run", "--json");
        Run upgrade = onDb("upgrade-schema", "--dry-run");

        assertThat(purge.exit()).as(purge.err()).isZero();
        assertThat(purge.out()).contains("would remove 2 expired sessions").contains("nothing deleted");
        assertThat(purge.err()).as("no progress: nothing is deleted").isEmpty();
        JsonNode pastGrace = json(purgePastGrace);
        assertThat(pastGrace.get("dryRun").asBoolean()).isTrue();
        assertThat(pastGrace.get("olderThanMs").asLong()).isEqualTo(90_000);
        assertThat(pastGrace.get("sessions").asLong()).isEqualTo(1);
        assertThat(json(deleteAll).get("sessions").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(upgrade.exit()).as(upgrade.err()).isZero();
        assertThat(upgrade.out()).contains("is at schema version 4").contains("nothing changed");
        assertThat(count("SELECT count(*) FROM jetty_sessions WHERE session_id IN ('fresh', 'stale1', 'stale2')"))
                .isEqualTo(3);
    }

    @Test
    void onATerminalDeletionAsksFirstAndGoesAheadOnlyOnYes() throws Exception {
        List<String> asked = new ArrayList<>();
        Terminal sayingNo = question -> {
            asked.add(question);
            return false;
        };

        Run declined = run(Map.of(), sayingNo, "--db", db.toString(), "purge-expired", "--older-than", "0");

        assertThat(declined.exit()).isEqualTo(SessionsCli.FAILED);
        assertThat(declined.err()).contains("not confirmed; nothing changed");
        assertThat(asked).singleElement().asString().matches("Delete 2 expired sessions from .*sessions\\.db\\?");
        assertThat(count("SELECT count(*) FROM jetty_sessions WHERE session_id LIKE 'stale%'"))
                .isEqualTo(2);

        Run accepted = run(Map.of(), question -> true, "--db", db.toString(), "purge-expired", "--older-than", "0");

        assertThat(accepted.exit()).as(accepted.err()).isZero();
        assertThat(accepted.out()).contains("removed 2 expired sessions");
        assertThat(count("SELECT count(*) FROM jetty_sessions WHERE session_id LIKE 'stale%'"))
                .isZero();
    }

    @Test
    void onlyAnExplicitYesConfirms() {
        assertThat(List.of("y", "Y", " yes ", "YES")).allMatch(Terminal::isYes);
        assertThat(Arrays.asList("", "n", "no", "yep", "maybe", null)).noneMatch(Terminal::isYes);
    }

    @Test
    void everyCommandThatChangesSomethingReportsItAsOneJsonObject() throws Exception {
        Path copy = dir.resolve("copy.db");

        JsonNode purge = json(onDb("purge-expired", "--older-than", "0", "--yes", "--json"));
        JsonNode backup = json(onDb("backup", copy.toString(), "--json"));
        JsonNode check = json(onDb("check", "--json"));
        JsonNode vacuum = json(onDb("vacuum", "--json"));
        JsonNode upgrade = json(onDb("upgrade-schema", "--yes", "--json"));
        JsonNode migrate = json(onDb(
                "migrate",
                "--from",
                db.toString(),
                "--to",
                dir.resolve("moved.db").toString(),
                "--json"));
        // A global option: before the command as well as after it.
        JsonNode deleteAll = json(onDb("--json", "delete-all", "--yes"));

        assertThat(purge.get("database").asText()).endsWith("sessions.db");
        assertThat(purge.get("table").asText()).isEqualTo("jetty_sessions");
        assertThat(purge.get("dryRun").asBoolean()).isFalse();
        assertThat(purge.get("sessions").asLong()).isEqualTo(2);
        assertThat(backup.get("backup").asText())
                .isEqualTo(copy.toAbsolutePath().toString());
        assertThat(backup.get("bytes").asLong()).isEqualTo(Files.size(copy));
        assertThat(check.get("schemaVersion").asInt()).isEqualTo(4);
        assertThat(check.get("integrity")).extracting(JsonNode::asText).containsExactly("ok");
        assertThat(vacuum.get("fileBytes").asLong()).isPositive();
        assertThat(vacuum.get("fileBytesBefore").asLong()).isPositive();
        assertThat(upgrade.get("schemaVersionBefore").asInt()).isEqualTo(4);
        assertThat(upgrade.get("schemaVersion").asInt()).isEqualTo(4);
        assertThat(migrate.get("copied").asLong())
                .isEqualTo(migrate.get("live").asLong())
                .isPositive();
        assertThat(deleteAll.get("sessions").asLong()).isPositive();
    }

    @Test
    void failuresWithJsonAreOneJsonObjectWithTheExitCode() throws Exception {
        Run missing = run("--db", dir.resolve("nothing.db").toString(), "stats", "--json");
        Run unknownOption = onDb("list", "--json", "--no-such-option");
        Run refused = onDb("delete-all", "--json");
        Run noSuchSession = onDb("--json", "show", "nobody");

        assertThat(missing.exit()).isEqualTo(SessionsCli.FAILED);
        assertThat(json(missing).get("error").asText()).contains("does not exist");
        assertThat(json(missing).get("exitCode").asInt()).isEqualTo(SessionsCli.FAILED);
        assertThat(missing.err()).isEmpty();
        assertThat(unknownOption.exit()).isEqualTo(SessionsCli.USAGE);
        assertThat(json(unknownOption).get("error").asText()).contains("--no-such-option");
        assertThat(json(unknownOption).get("exitCode").asInt()).isEqualTo(SessionsCli.USAGE);
        assertThat(unknownOption.err()).as("no usage text around the JSON").isEmpty();
        assertThat(refused.exit()).isEqualTo(SessionsCli.USAGE);
        assertThat(json(refused).get("error").asText()).contains("pass --yes");
        assertThat(json(refused).get("exitCode").asInt()).isEqualTo(SessionsCli.USAGE);
        assertThat(noSuchSession.exit()).isEqualTo(SessionsCli.FAILED);
        assertThat(json(noSuchSession).get("error").asText()).isEqualTo("no session with id nobody");
    }

    @Test
    void quietLeavesOutProgressAndWhatWasDoneButNeitherFindingsNorErrors() throws Exception {
        Run purge = onDb("purge-expired", "--older-than", "0", "--yes", "--quiet");
        Run check = onDb("--quiet", "check");
        Run stats = onDb("stats", "--quiet");
        Run quietJson = onDb("vacuum", "--quiet", "--json");
        Run missing = run("--quiet", "--db", dir.resolve("nothing.db").toString(), "check");

        assertThat(purge.exit()).as(purge.err()).isZero();
        assertThat(purge.out()).isEmpty();
        assertThat(purge.err()).isEmpty();
        assertThat(count("SELECT count(*) FROM jetty_sessions WHERE session_id LIKE 'stale%'"))
                .isZero();
        assertThat(check.exit()).isZero();
        assertThat(check.out()).isEmpty();
        assertThat(stats.out()).contains("_shop");
        assertThat(json(quietJson).get("fileBytes").asLong()).isPositive();
        assertThat(missing.exit()).isEqualTo(SessionsCli.FAILED);
        assertThat(missing.err()).startsWith("error: ").contains("does not exist");
    }

    @Test
    void databaseComesFromJettySessionsDbWhenDbIsNotGiven() throws Exception {
        Run fromVariable = run(Map.of("JETTY_SESSIONS_DB", db.toString()), null, "list", "--expired");
        Run dbWins = run(
                Map.of("JETTY_SESSIONS_DB", dir.resolve("elsewhere.db").toString()),
                null,
                "--db",
                db.toString(),
                "stats");
        Run neither = run(Map.of(), null, "stats");
        Run neitherJson = run(Map.of(), null, "stats", "--json");

        assertThat(fromVariable.exit()).as(fromVariable.err()).isZero();
        assertThat(fromVariable.out()).contains("stale1", "stale2");
        assertThat(dbWins.exit()).as(dbWins.err()).isZero();
        assertThat(neither.exit()).isEqualTo(SessionsCli.USAGE);
        assertThat(neither.err().strip())
                .startsWith("error: no database")
                .contains("--db", "JETTY_SESSIONS_DB")
                .doesNotContain("\n");
        assertThat(json(neitherJson).get("exitCode").asInt()).isEqualTo(SessionsCli.USAGE);
        assertThat(dir.resolve("elsewhere.db")).doesNotExist();
    }

    @Test
    void checkThatFindsProblemsSaysSoInItsJsonError() throws Exception {
        live.close();
        // An index whose declared column is not the one it was built on: every row is then missing from it.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement()) {
            s.execute("CREATE INDEX by_node ON jetty_sessions (last_node)");
            s.execute("PRAGMA writable_schema = ON");
            s.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX by_node ON jetty_sessions (session_id)'"
                    + " WHERE name = 'by_node'");
        }

        Run text = onDb("check");
        Run asJson = onDb("check", "--json");

        assertThat(text.exit()).isEqualTo(SessionsCli.FAILED);
        assertThat(text.out()).contains("integrity: ").contains("by_node");
        assertThat(text.err()).startsWith("error: integrity check found");
        JsonNode error = json(asJson);
        assertThat(error.get("exitCode").asInt()).isEqualTo(SessionsCli.FAILED);
        assertThat(error.get("error").asText()).startsWith("integrity check found");
        assertThat(error.get("integrity").toString()).contains("by_node");
    }

    @Test
    void backupWritesACopyThatOpensWithTheSessions() throws Exception {
        Path copy = dir.resolve("backup/copy.db");

        Run backup = onDb("backup", copy.toString());

        assertThat(backup.exit()).as(backup.err()).isZero();
        assertThat(backup.out()).contains("integrity check ok");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM jetty_sessions WHERE session_id = 'fresh'")) {
            r.next();
            assertThat(r.getInt(1)).isEqualTo(1);
        }
        assertThat(onDb("backup", copy.toString()).err()).contains("add --force");
    }

    @Test
    void vacuumAndCheckSucceedOnTheLiveDatabase() {
        Run vacuum = onDb("vacuum");
        Run check = onDb("check");

        assertThat(vacuum.exit()).as(vacuum.err()).isZero();
        assertThat(vacuum.out()).startsWith("vacuumed: ");
        assertThat(check.exit()).isZero();
        assertThat(check.out()).contains("schema version 4").contains("integrity: ok");
    }

    @Test
    void missingFileNonSQLiteFileAndUnknownTableFailInOneLine() throws Exception {
        Run missing = run("--db", dir.resolve("nothing.db").toString(), "stats");
        Path text =
                Files.writeString(dir.resolve("notes.db"), "plain text, not a database; long enough to have a header");
        Run notSqlite = run("--db", text.toString(), "stats");
        Run unknownTable = onDb("--table", "nope", "stats");

        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err())
                .startsWith("error: ")
                .contains("does not exist")
                .doesNotContain("\tat ");
        assertThat(notSqlite.exit()).isEqualTo(1);
        assertThat(notSqlite.err()).contains("is not an SQLite database");
        assertThat(unknownTable.err()).contains("has no table named 'nope'");
        assertThat(dir.resolve("nothing.db")).doesNotExist();
    }

    @Test
    void everyCommandHasHelp() {
        for (String command :
                List.of("stats", "list", "show", "purge-expired", "delete-all", "backup", "vacuum", "check")) {
            Run help = run(command, "--help");
            assertThat(help.exit()).as(command).isZero();
            assertThat(help.out()).as(command).contains("Usage:").contains(command);
        }
        assertThat(run("--help").out()).contains("purge-expired");
        assertThat(run("--version").exit()).isZero();
    }

    private int count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getInt(1);
        }
    }
}
