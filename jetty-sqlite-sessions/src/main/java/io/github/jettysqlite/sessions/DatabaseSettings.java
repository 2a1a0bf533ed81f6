package io.github.jettysqlite.sessions;

import java.nio.file.Path;

/**
 * What opening a database file needs. Every store that names the same file shares one open database, so they
 * must agree on these settings.
 *
 * @param file the database file, absolute and normalized so two spellings of one path share connections
 * @param synchronous SQLite's durability level for commits
 * @param busyTimeoutMs how long a write waits for another process's write lock before failing
 * @param maxReaders how many read connections may be open at once
 */
record DatabaseSettings(Path file, Synchronous synchronous, int busyTimeoutMs, int maxReaders) {
    DatabaseSettings {
        file = file.toAbsolutePath().normalize();
        if (busyTimeoutMs < 0) {
            throw new IllegalArgumentException("busyTimeoutMs must be 0 or more, not " + busyTimeoutMs);
        }
        if (maxReaders < 1) {
            throw new IllegalArgumentException("maxReaders must be at least 1, not " + maxReaders);
        }
    }
}
