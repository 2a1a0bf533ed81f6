package io.github.jettysqlite.sessions.internal.table;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which session table: its name, the engine's SQL dialect, and the layout every engine shares.
 *
 * <p>Layout. One row per (canonical context path, virtual host, session id), so many contexts and virtual hosts
 * share one table and a context's sessions form one key range. Timestamps are epoch milliseconds as Jetty keeps
 * them, except {@code expires_at}, a Julian day ({@code julianday()} scale, 64-bit floating point in both engines)
 * or NULL for a session that never expires. The attributes column holds every attribute, each serialized on its
 * own; {@value #VERSION_COLUMN} counts the writes of the attributes. The metadata columns come first and the
 * attributes last: a metadata-only update then produces a record of the same size, which SQLite overwrites in
 * place, leaving the attributes' overflow pages untouched.
 *
 * <p>Expiry index. A partial index on {@code expires_at} (followed by the context columns, so the per-context
 * queries filter inside the index) holds only sessions that can expire. Every expiry query compares the bare
 * column with a bound parameter, never a function of it, so the engine searches the index and the cost follows the
 * number of expired rows, not the size of the table.
 *
 * <p>The SQL itself is in {@link SessionStatements} (the request path), in {@link SessionSchema} and its engine
 * subclasses (DDL, versions, upgrades), and, for the tools, in the admin package.
 */
public final class SessionTable {
    /**
     * The layout version: SQLite records it in {@code PRAGMA user_version}, which covers every session table in the
     * file; PostgreSQL per table, in a table of its own ({@code jetty_session_schema}).
     *
     * <ol>
     *   <li>primary key (session_id, context_path, virtual_host)
     *   <li>primary key (context_path, virtual_host, session_id): a context's sessions form one key range, so
     *       counting or listing them does not scan the table
     *   <li>{@value #VERSION_COLUMN}, which every write of the attributes increments, so a write can tell whether
     *       another request changed them since it loaded the session (added in place)
     *   <li>{@value #PRINCIPAL_COLUMN}, the name of the user the session is logged in as, with an index holding only
     *       the rows that have one, so that a user's sessions are found without a scan (added in place; filled by
     *       the next store of each session); and {@value #SEALED_ID_COLUMN}, the session id encrypted, for tables
     *       whose {@code session_id} column holds a keyed hash of the id rather than the id (protected ids)
     * </ol>
     */
    public static final int SCHEMA_VERSION = 4;

    public static final String DEFAULT_NAME = "jetty_sessions";

    /** Incremented by every write of the attributes, never by a metadata-only update. */
    public static final String VERSION_COLUMN = "attributes_version";

    /** Who the session is logged in as; NULL for a session nobody logged in to. */
    public static final String PRINCIPAL_COLUMN = "principal";

    /**
     * With protected ids, the session id encrypted (the {@code session_id} column then holds a keyed hash of it, which
     * nobody can log in with); NULL in a row whose {@code session_id} is the id itself.
     */
    public static final String SEALED_ID_COLUMN = "sealed_id";

    /**
     * The columns every layout version has, in table order; checked against an existing table so that a foreign
     * table of the same name is refused.
     */
    public static final List<String> COLUMNS = List.of(
            "session_id",
            "context_path",
            "virtual_host",
            "last_node",
            "created_ms",
            "accessed_ms",
            "last_accessed_ms",
            "cookie_set_ms",
            "last_saved_ms",
            "max_inactive_ms",
            "expires_at",
            "attributes");

    /** The condition that names one row: bind the id, the context path and the virtual host, in that order. */
    static final String KEY = " WHERE session_id = ? AND context_path = ? AND virtual_host = ?";

    static final Pattern VALID_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private final String name;
    private final SqlDialect dialect;

    /**
     * @throws IllegalArgumentException when the name is not a plain SQL identifier, or too long for the engine
     */
    public SessionTable(String name, SqlDialect dialect) {
        this.name = validateName(name);
        this.dialect = dialect;
        dialect.checkTableName(name);
    }

    /**
     * Refuses any table name that is not a plain SQL identifier. The name is spliced into SQL text (identifiers
     * cannot be bound), so this check is what keeps configuration from injecting SQL.
     */
    static String validateName(String name) {
        if (name == null || !VALID_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("table name must match [A-Za-z_][A-Za-z0-9_]{0,62}, not "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        if (name.regionMatches(true, 0, "sqlite_", 0, 7)) {
            throw new IllegalArgumentException(
                    "table name must not start with 'sqlite_', which SQLite reserves: '" + name + "'");
        }
        return name;
    }

    public String name() {
        return name;
    }

    public SqlDialect dialect() {
        return dialect;
    }

    /** The partial index on expires_at. */
    String expiryIndex() {
        return name + "_expiry";
    }

    /** The partial index on the principal (a suffix no longer than the expiry index's, for PostgreSQL's limit). */
    String principalIndex() {
        return name + "_users";
    }
}
