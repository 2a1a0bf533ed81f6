package io.github.jettysqlite.sessions.internal.table;

/**
 * A row's attributes column, the version it is at, when the row's session was created (which, with the key, names
 * one session: a row created again under the same id is another), and who the row records as logged in.
 */
public record StoredAttributes(long version, byte[] attributes, long created, String principal) {}
