package io.github.jettysqlite.sessions.admin;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.FileMaintenance;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import java.nio.file.Path;
import java.util.List;

/**
 * The admin's work on the database file itself (backup, vacuum, integrity check), which only SQLite's file has: on
 * PostgreSQL each fails with one sentence saying which of the server's own tools does it instead.
 */
record FileTasks(SessionDatabase database) {
    /** See {@link SessionDatabaseAdmin#backup}. */
    void backup(Path target, boolean overwrite, Progress progress) throws SessionDatabaseException {
        file("backup", "use pg_dump, or the server's own backups").backup(target, overwrite, progress::update);
    }

    /** See {@link SessionDatabaseAdmin#vacuum}. */
    void vacuum() throws SessionDatabaseException {
        file("vacuum", "autovacuum maintains the table; run VACUUM FULL on it yourself if needed")
                .vacuum();
    }

    /** See {@link SessionDatabaseAdmin#check}. */
    List<String> check() throws SessionDatabaseException {
        return file("check", "use the server's amcheck extension").integrityCheck();
    }

    private FileMaintenance file(String task, String instead) throws SessionDatabaseException {
        if (database instanceof FileMaintenance file) {
            return file;
        }
        throw new SessionDatabaseException(
                "Session database " + database.location() + " is on PostgreSQL, where " + task
                        + " is not this library's job: " + instead,
                null);
    }
}
