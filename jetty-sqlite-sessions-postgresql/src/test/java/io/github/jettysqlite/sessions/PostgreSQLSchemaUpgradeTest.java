package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Layout version 2 upgraded in place, on a real PostgreSQL server. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLSchemaUpgradeTest extends AbstractSchemaUpgradeTest {
    @Override
    StoreFixture newFixture(Path dir) {
        return new PostgreSQLFixture();
    }

    // Not a measurement: without a bound on its wait for the lock, the start waits the ten minutes lengthy work may,
    // with every request on the table queued behind it, and this only ends the test then.
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aChangeOfLayoutBehindAnOpenTransactionFailsTheStartAndSucceedsOnceItEnds() throws Exception {
        fixture.downgradeTo(3);
        try (Connection administrator = fixture.connect();
                Statement statement = administrator.createStatement()) {
            // An administrator's transaction left open after a look at the table holds a lock the change conflicts
            // with until it ends.
            administrator.setAutoCommit(false);
            statement.executeQuery("SELECT count(*) FROM jetty_sessions").close();

            assertThatThrownBy(fixture::store)
                    .hasStackTraceContaining("gave up waiting for a lock another transaction holds")
                    .hasStackTraceContaining("pg_stat_activity")
                    // each try gave up on its lock alone, the transaction still usable for the next
                    .hasStackTraceContaining("through 3 tries of 2 s each");
            assertThat(fixture.versionRecorded()).as("left as it was").isEqualTo(3);
            assertThat(fixture.query("SELECT session_id FROM jetty_sessions WHERE session_id = 'live'"))
                    .as("and answering")
                    .containsExactly(List.of("live"));

            administrator.rollback();
        }

        SessionTableDataStore store = fixture.store();

        assertThat(fixture.versionRecorded()).isEqualTo(SessionTable.SCHEMA_VERSION);
        assertThat(store.load("live").getAttribute("cart")).isEqualTo(List.of("live"));
    }
}
