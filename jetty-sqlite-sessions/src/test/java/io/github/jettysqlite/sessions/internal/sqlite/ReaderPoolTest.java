package io.github.jettysqlite.sessions.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The read connections of a file: a connection whose work failed is closed, never lent again. */
class ReaderPoolTest {
    private final List<CachedConnection> openedConnections = new ArrayList<>();
    private final ReaderPool pool = new ReaderPool(this::open, 2, 1_000);

    private CachedConnection open() throws SQLException {
        CachedConnection connection = new CachedConnection(DriverManager.getConnection("jdbc:sqlite::memory:"));
        openedConnections.add(connection);
        return connection;
    }

    @Test
    void aHealthyConnectionIsLentAgain() throws Exception {
        pool.read(c -> c.prepare("SELECT 1").executeQuery().next());
        pool.read(c -> c.prepare("SELECT 1").executeQuery().next());

        assertThat(openedConnections).hasSize(1);
        assertThat(pool.opened()).isEqualTo(1);
    }

    @Test
    void aConnectionWhoseWorkFailedIsClosedAndReplaced() throws Exception {
        assertThatThrownBy(() ->
                        pool.read(c -> c.prepare("SELECT * FROM no_such_table").executeQuery()))
                .isInstanceOf(SQLException.class);

        pool.read(c -> c.prepare("SELECT 1").executeQuery().next());

        assertThat(openedConnections).hasSize(2);
        assertThat(openedConnections.get(0).connection().isClosed()).isTrue();
        assertThat(pool.opened()).as("the failed one no longer counts").isEqualTo(1);
    }

    @Test
    void aFailedReadGivesItsPermitBack() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> pool.read(c -> {
                        throw new IllegalStateException("work failed");
                    }))
                    .hasMessage("work failed");
        }

        int seven = pool.read(c -> {
            var row = c.prepare("SELECT 7").executeQuery();
            row.next();
            return row.getInt(1);
        });
        assertThat(seven).isEqualTo(7);
    }
}
