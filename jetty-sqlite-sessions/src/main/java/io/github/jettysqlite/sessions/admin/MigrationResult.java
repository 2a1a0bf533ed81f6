package io.github.jettysqlite.sessions.admin;

/**
 * What a migration did.
 *
 * @param live the unexpired sessions read from the source
 * @param copied the sessions written to the target: new there, or saved in the source since the last copy
 * @param unchanged the sessions the target already held in this very save
 * @param keptNewer the sessions the target already held in a later save, left as they were
 * @param deletedOnTarget the sessions an earlier run copied and the target has deleted since (a logout, an expiry),
 *     left deleted
 */
public record MigrationResult(long live, long copied, long unchanged, long keptNewer, long deletedOnTarget) {}
