package io.github.jettysqlite.sessions.internal.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.jettysqlite.sessions.SQLiteFixture;
import io.github.jettysqlite.sessions.Synchronous;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/** SQLite's result codes in words that name the file. */
class SQLiteErrorsTest {
    @TempDir
    Path dir;

    @Test
    void readOnlyDatabaseIsReportedInWords() throws Exception {
        try (SQLiteFixture fixture = SQLiteFixture.in(dir)) {
            fixture.store().stop();
            // Tests run as root in CI, where file permissions do not stop writes; a read-only connection makes SQLite
            // itself answer SQLITE_READONLY, which is what a read-only file produces for other users.
            SQLiteConfig readOnly = new SQLiteConfig();
            readOnly.setReadOnly(true);
            SQLiteDatabaseSettings settings = new SQLiteDatabaseSettings(fixture.file(), Synchronous.NORMAL, 100, 1);
            try (Connection c = readOnly.createConnection("jdbc:sqlite:" + fixture.file());
                    Statement s = c.createStatement()) {
                SQLException refused =
                        catchThrowableOfType(SQLException.class, () -> s.executeUpdate("DELETE FROM jetty_sessions"));

                assertThat((Throwable) SQLiteErrors.describe(settings, refused))
                        .hasMessageStartingWith("Session database " + settings.file() + " is read-only");
            }
        }
    }
}
