package io.github.jettysqlite.sessions.postgresql.internal;

import static io.github.jettysqlite.sessions.internal.table.SessionTable.SCHEMA_VERSION;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.table.SessionSchema;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The session table on a PostgreSQL server, which holds many schemas and applications: the layout version is kept
 * per table, in a table of its own. Layout version 1 never existed there.
 */
final class PostgreSQLSchema extends SessionSchema {
    /** The table recording each session table's layout version. */
    static final String VERSION_TABLE = "jetty_session_schema";

    /** Any fixed number will do: it only has to differ from the advisory locks other applications take. */
    private static final long SCHEMA_LOCK_KEY = 0x6a657474795f7373L;

    /**
     * How long a change of layout waits for a lock on the session table each time it tries. A statement waiting for
     * a lock makes every later one on the table wait behind it, requests included, and a request's statement is
     * cancelled after 9 s by default: a change that cannot get its lock (behind an administrator's open transaction,
     * say) gives up and tries again a little later, and fails after {@link #LAYOUT_LOCK_TRIES} tries, so that
     * requests meanwhile are slower, never cancelled. A lower {@code lock_timeout} set on the role or the database
     * stays.
     */
    static final int LAYOUT_LOCK_WAIT_MS = 2_000;

    static final int LAYOUT_LOCK_TRIES = 3;
    private static final String LOCK_NOT_AVAILABLE = "55P03";
    private static final long LAYOUT_LOCK_PAUSE_MS = 1_000;

    private final String readVersion = "SELECT version FROM " + VERSION_TABLE + " WHERE table_name = ?";

    PostgreSQLSchema(SessionTable table) {
        super(table);
    }

    /**
     * Nodes starting together would race on CREATE TABLE IF NOT EXISTS, which PostgreSQL does not make atomic (the
     * loser fails on a catalog unique index); a lock held until this transaction ends lines them up.
     */
    @Override
    protected void lockOutOtherNodes(CachedConnection c) throws SQLException {
        PreparedStatement lock = c.prepare("SELECT pg_advisory_xact_lock(?)");
        lock.setLong(1, SCHEMA_LOCK_KEY);
        lock.executeQuery().close();
        // Set once the advisory lock is held: another node's change of layout may rightly take longer than this.
        c.execute(BOUND_LOCK_WAIT);
    }

    /**
     * Brings this transaction's {@code lock_timeout} down to {@link #LAYOUT_LOCK_WAIT_MS}, leaving a lower one (set on
     * the role or the database) as it is.
     */
    static final String BOUND_LOCK_WAIT = AnswerBounds.capSetting("lock_timeout", LAYOUT_LOCK_WAIT_MS, true);

    /**
     * Each try from a savepoint, so that one that gave up waiting for its lock leaves the transaction (and the
     * advisory lock that lines nodes up) usable for the next.
     */
    @Override
    protected void apply(CachedConnection c, List<String> statements) throws SQLException {
        c.execute("SAVEPOINT layout_change");
        for (int tried = 1; ; tried++) {
            try {
                super.apply(c, statements);
                c.execute("RELEASE SAVEPOINT layout_change");
                return;
            } catch (SQLException e) {
                if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    throw e;
                }
                // The savepoint stays after a rollback to it, ready for the next try.
                try {
                    c.execute("ROLLBACK TO SAVEPOINT layout_change");
                } catch (SQLException rollback) {
                    rollback.addSuppressed(e);
                    throw rollback;
                }
                if (tried == LAYOUT_LOCK_TRIES) {
                    throw new SQLException(
                            "the table's layout was not changed: another transaction held a lock on the table through "
                                    + LAYOUT_LOCK_TRIES + " tries of " + LAYOUT_LOCK_WAIT_MS / 1000 + " s each (a"
                                    + " change waits no longer, so that requests do not queue behind it); end that"
                                    + " transaction, then start again (or run upgrade-schema again)",
                            LOCK_NOT_AVAILABLE,
                            e);
                }
                pause();
            }
        }
    }

    private static void pause() throws SQLException {
        try {
            Thread.sleep(LAYOUT_LOCK_PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting to change the table's layout", e);
        }
    }

    /** Reads the version only where its table exists: a failed query would end the caller's transaction. */
    @Override
    protected Changes changes(CachedConnection c) throws SQLException {
        int version = columnsOf(c, VERSION_TABLE).isEmpty() ? 0 : version(c);
        if (version > SCHEMA_VERSION) {
            throw newerVersion(version);
        }
        Found found = found(c);
        List<String> statements = new ArrayList<>(tableChanges(version, found));
        if (version < SCHEMA_VERSION) {
            statements.addAll(versionRecord());
        }
        return new Changes(version, found.exists(), statements);
    }

    /** The table name is a checked identifier, so it can stand in the statement as a literal. */
    @Override
    protected List<String> versionRecord() {
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + VERSION_TABLE
                        + " (table_name TEXT PRIMARY KEY, version INTEGER NOT NULL)",
                "INSERT INTO " + VERSION_TABLE + " (table_name, version) VALUES ('" + versionKey() + "', "
                        + SCHEMA_VERSION + ") ON CONFLICT (table_name) DO UPDATE SET version = excluded.version");
    }

    @Override
    protected String engine() {
        return "PostgreSQL";
    }

    @Override
    protected String scriptNotes() {
        return "-- The version is recorded under the table's name in lower case, as PostgreSQL's catalogs spell it.\n";
    }

    @Override
    public int version(CachedConnection c) throws SQLException {
        PreparedStatement s = c.prepare(readVersion);
        s.setString(1, versionKey());
        try (ResultSet row = s.executeQuery()) {
            return row.next() ? row.getInt(1) : 0;
        }
    }

    @Override
    protected Set<String> columnsOf(CachedConnection c, String tableName) throws SQLException {
        return names(
                c,
                "SELECT column_name FROM information_schema.columns"
                        + " WHERE table_schema = current_schema() AND table_name = ?",
                tableName);
    }

    @Override
    protected Set<String> indexesOf(CachedConnection c, String tableName) throws SQLException {
        return names(
                c, "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?", tableName);
    }

    /** PostgreSQL folds unquoted identifiers to lower case, so that is how its catalogs spell the table. */
    private static Set<String> names(CachedConnection c, String query, String tableName) throws SQLException {
        PreparedStatement names = c.prepare(query);
        names.setString(1, tableName.toLowerCase(Locale.ROOT));
        Set<String> found = new HashSet<>();
        try (ResultSet rows = names.executeQuery()) {
            while (rows.next()) {
                found.add(rows.getString(1));
            }
        }
        return found;
    }

    /** As the catalogs spell the table. */
    private String versionKey() {
        return table.name().toLowerCase(Locale.ROOT);
    }
}
