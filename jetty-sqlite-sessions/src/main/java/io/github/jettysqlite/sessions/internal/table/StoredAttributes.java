package io.github.jettysqlite.sessions.internal.table;

/** A row's attributes column and the version it is at. */
public record StoredAttributes(long version, byte[] attributes) {}
