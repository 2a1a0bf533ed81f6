package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whoever runs the database may keep the schema: in schema mode validate a store accepts the table the shipped
 * script creates and refuses a missing or older one, changing nothing and naming the statements that would put it
 * right; in schema mode none it runs no DDL and reads no version.
 */
abstract class AbstractSchemaModeTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    StoreFixture fixture;

    /** The engine under test: a fixture of its own in the directory. */
    abstract StoreFixture newFixture(Path dir) throws Exception;

    @BeforeEach
    void open() throws Exception {
        fixture = newFixture(dir);
    }

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void tableTheShippedScriptCreatesIsAcceptedInValidateMode() throws Exception {
        fixture.run(shippedScript());

        SessionTableDataStore store = storeIn("validate");

        assertRoundTrip(store);
        assertThat(fixture.versionRecorded()).isEqualTo(SessionTable.SCHEMA_VERSION);
    }

    @Test
    void validateRefusesAMissingTableWithTheShippedStatementsAndCreatesNothing() throws Exception {
        assertThatThrownBy(() -> storeIn("validate"))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("has no table named 'jetty_sessions'; with schemaMode validate")
                .hasMessageEndingWith(":\n" + statementsOf(shippedScript()));
        assertThat(fixture.tables()).isZero();
    }

    @Test
    void validateRefusesAnOlderLayoutAndTheStatementsItNamesUpgradeIt() throws Exception {
        fixture.store().stop();
        fixture.downgradeTo(3);

        Throwable refusal = catchThrowable(() -> storeIn("validate"));

        assertThat(refusal)
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("holds table 'jetty_sessions' in schema version 3")
                .hasMessageContaining("ALTER TABLE jetty_sessions ADD COLUMN principal TEXT;\n");
        assertThat(fixture.versionRecorded()).as("nothing changed").isEqualTo(3);
        fixture.run(refusal.getMessage().substring(refusal.getMessage().indexOf(":\n") + 2));
        assertRoundTrip(storeIn("validate"));
        assertThat(fixture.versionRecorded()).isEqualTo(SessionTable.SCHEMA_VERSION);
    }

    @Test
    void validateRefusesANewerLayoutAsCreateDoes() throws Exception {
        fixture.run(shippedScript());
        fixture.recordVersion(99);

        assertThatThrownBy(() -> storeIn("validate"))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("newer version of jetty-sqlite-sessions (schema version 99)");
    }

    @Test
    void noneRunsNoDdl() throws Exception {
        SessionTableDataStore store = storeIn("none");

        assertThat(store.isStarted()).isTrue();
        assertThat(fixture.tables()).isZero();
    }

    @Test
    void noneTrustsATableWhoseVersionIsNotRecorded() throws Exception {
        fixture.run(shippedScript());
        fixture.recordVersion(0);
        assertThatThrownBy(() -> storeIn("validate")).hasMessageContaining("in schema version 0");

        SessionTableDataStore store = storeIn("NONE");

        assertRoundTrip(store);
        assertThat(fixture.versionRecorded()).isZero();
    }

    @Test
    void unknownSchemaModeStopsStart() {
        assertThatThrownBy(() -> storeIn("manual"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith(
                        " session store setting schemaMode: schemaMode must be one of CREATE, VALIDATE, NONE, not"
                                + " 'manual'");
    }

    SessionTableDataStore storeIn(String schemaMode) throws Exception {
        return fixture.store(NODE, "/app", SessionContext.NULL_VHOST, s -> s.setSchemaMode(schemaMode));
    }

    /** The script shipped for this engine's default table. */
    String shippedScript() throws Exception {
        return SchemaScriptsTest.read(fixture.isSQLite() ? SchemaMode.SQLITE_SCRIPT : SchemaMode.POSTGRESQL_SCRIPT);
    }

    static void assertRoundTrip(SessionTableDataStore store) throws Exception {
        SessionData data = StoreFixture.session(store, "kept", System.currentTimeMillis() + HOUR, NODE);
        data.setAttribute("cart", List.of("tea"));
        StoreFixture.put(store, data);
        assertThat(store.load("kept").getAttribute("cart")).isEqualTo(List.of("tea"));
    }

    /** A script without its comment lines. */
    private static String statementsOf(String script) {
        StringBuilder statements = new StringBuilder();
        script.lines()
                .filter(line -> !line.startsWith("--"))
                .forEach(line -> statements.append(line).append('\n'));
        return statements.toString();
    }
}
