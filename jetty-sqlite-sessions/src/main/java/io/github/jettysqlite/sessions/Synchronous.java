package io.github.jettysqlite.sessions;

/**
 * SQLite's {@code PRAGMA synchronous} levels that make sense for a WAL-mode session store.
 *
 * <p>{@link #NORMAL} (the default) survives a crash of the JVM or the process but may lose the last commits on
 * power loss; {@link #FULL} also survives power loss, at the cost of an fsync per commit.
 */
public enum Synchronous {
    OFF,
    NORMAL,
    FULL,
    EXTRA
}
