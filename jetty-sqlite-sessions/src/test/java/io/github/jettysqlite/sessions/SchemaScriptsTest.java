package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.internal.table.SessionSchema;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.internal.table.SqlDialect;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scripts shipped for those who keep the schema themselves (Flyway, Liquibase, a DBA) are the statements the
 * stores run, to the character: when the DDL changes, this test fails and leaves the new script under {@code
 * target/schema/} to copy over the resource. That the table they create satisfies a store is the schema-mode tests'
 * part.
 */
class SchemaScriptsTest {
    @ParameterizedTest
    @EnumSource(SqlDialect.class)
    void shippedScriptIsTheStatementsTheStoresRun(SqlDialect dialect) throws IOException {
        String resource = script(dialect);
        String generated = SessionSchema.of(new SessionTable(SessionTable.DEFAULT_NAME, dialect))
                .creationScript();
        String shipped = read(resource);
        if (!generated.equals(shipped)) {
            Path fresh =
                    Path.of("target/schema", Path.of(resource).getFileName().toString());
            Files.createDirectories(fresh.getParent());
            Files.writeString(fresh, generated);
        }
        assertThat(shipped)
                .as("src/main/resources/%s is out of date: copy %s over it", resource, "target/schema/")
                .isEqualTo(generated);
    }

    /** The class-path resource that creates the default table on this engine. */
    static String script(SqlDialect dialect) {
        return dialect == SqlDialect.SQLITE ? SchemaMode.SQLITE_SCRIPT : SchemaMode.POSTGRESQL_SCRIPT;
    }

    /** A script as shipped, or "" when there is none yet. */
    static String read(String resource) throws IOException {
        try (InputStream in = SchemaScriptsTest.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
