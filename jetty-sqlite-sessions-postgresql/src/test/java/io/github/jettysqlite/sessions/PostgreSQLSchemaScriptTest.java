package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.postgresql.internal.PostgreSQLDialect;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The PostgreSQL script the base jar ships is what this jar's schema runs (see {@link SchemaScriptsTest}). */
class PostgreSQLSchemaScriptTest {
    @Test
    void shippedScriptIsTheStatementsTheStoreRuns() throws IOException {
        SchemaScriptsTest.assertShipped(SchemaMode.POSTGRESQL_SCRIPT, PostgreSQLDialect.INSTANCE);
    }
}
