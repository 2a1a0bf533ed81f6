package io.github.jettysqlite.sessions.admin;

/** Told how far a long task has come: {@code done} of {@code total} units (rows, pages). */
@FunctionalInterface
public interface Progress {
    Progress NONE = (done, total) -> {};

    void update(long done, long total);
}
