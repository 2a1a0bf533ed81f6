package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.session.SessionContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Schema modes validate and none on a real PostgreSQL server, and, where a DBA would use them, under a role that may
 * read and write rows but not create anything.
 */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLSchemaModeTest extends AbstractSchemaModeTest {
    private static final AtomicInteger ROLES = new AtomicInteger();

    @Override
    StoreFixture newFixture(Path dir) {
        return new PostgreSQLFixture();
    }

    @Test
    void aRoleWithoutTheRightToCreateServesInValidateAndNoneModes() throws Exception {
        PostgreSQLFixture owner = (PostgreSQLFixture) fixture;
        String schema = PostgreSQLServer.schemaOf(owner.url());
        String role = "jss_rows_" + ProcessHandle.current().pid() + "_" + ROLES.incrementAndGet();
        owner.update("CREATE ROLE " + role + " LOGIN PASSWORD 'rows-only'");
        try {
            owner.update("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
            owner.update("ALTER DEFAULT PRIVILEGES IN SCHEMA " + schema
                    + " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + role);
            String url = owner.url().replaceAll("[?&](user|password)=[^&]*", "").replaceFirst("&", "?") + "&user="
                    + role + "&password=rows-only";

            assertThatThrownBy(() -> storeAs(url, "create"))
                    .as("the role may not create the table itself")
                    .hasMessageContaining("permission denied");
            assertThat(storeAs(url, "none").isStarted()).isTrue();
            assertThatThrownBy(() -> storeAs(url, "validate")).hasMessageContaining("has no table named");
            assertThat(owner.tables()).isZero();

            owner.run(shippedScript());
            assertRoundTrip(storeAs(url, "validate"));
        } finally {
            owner.close();
            owner.update("DROP OWNED BY " + role);
            owner.update("DROP ROLE " + role);
        }
    }

    private SessionTableDataStore storeAs(String url, String schemaMode) throws Exception {
        return ((PostgreSQLFixture) fixture).postgresStore(StoreFixture.NODE, "/app", SessionContext.NULL_VHOST, s -> {
            s.setUrl(url);
            s.setSchemaMode(schemaMode);
        });
    }
}
