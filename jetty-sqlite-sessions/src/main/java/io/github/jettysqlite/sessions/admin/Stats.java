package io.github.jettysqlite.sessions.admin;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything about a session database an operator asks first. Sizes are bytes; on PostgreSQL the file is null and
 * the sizes are -1 (the server's own views tell them).
 */
public record Stats(
        Path file,
        String table,
        int schemaVersion,
        String journalMode,
        long sessions,
        long expired,
        long immortal,
        long fileBytes,
        long walBytes,
        List<ContextStats> contexts) {}
