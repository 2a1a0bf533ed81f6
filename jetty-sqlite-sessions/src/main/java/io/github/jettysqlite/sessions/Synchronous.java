package io.github.jettysqlite.sessions;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

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
    EXTRA;

    /** Parses a setting from configuration, ignoring case, with an error that lists the accepted values. */
    static Synchronous parse(String value) {
        if (value != null) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException notAConstant) {
                // fall through to the error that names the accepted values
            }
        }
        throw new IllegalArgumentException("synchronous must be one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "))
                + ", not '" + value + "'");
    }
}
