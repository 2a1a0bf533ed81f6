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
import org.junit.jupiter.api.Test;

/**
 * The scripts shipped for those who keep the schema themselves (Flyway, Liquibase, a DBA) are the statements the
 * stores run, to the character: when the DDL changes, this test fails and leaves the new script under {@code
 * target/schema/} to copy over the resource. That the table they create satisfies a store is the schema-mode tests'
 * part. PostgreSQL's dialect is in its own jar, whose tests check its script with {@link #assertShipped}.
 */
class SchemaScriptsTest {
    @Test
    void shippedScriptIsTheStatementsTheStoresRun() throws IOException {
        assertShipped(SchemaMode.SQLITE_SCRIPT, SqlDialect.SQLITE);
    }

    /** Fails unless the resource is the script the dialect's schema generates, leaving that under target/schema. */
    static void assertShipped(String resource, SqlDialect dialect) throws IOException {
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
                .as(
                        "jetty-sqlite-sessions/src/main/resources/%s is out of date: copy %s over it",
                        resource, "target/schema/")
                .isEqualTo(generated);
    }

    /** A script as shipped, or "" when there is none yet. */
    static String read(String resource) throws IOException {
        try (InputStream in = SchemaScriptsTest.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
