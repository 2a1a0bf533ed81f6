package io.github.jettysqlite.sessions.internal.table;

/**
 * What a cache's check read of a session's row: its attributes' version and metadata, and the whole row when the
 * attributes were not at the version the cache holds (null when they were, or when the row could not be read whole
 * by this read; then a load follows).
 */
public record CheckedRow(RowStamp stamp, StoredSession changedRow) {}
