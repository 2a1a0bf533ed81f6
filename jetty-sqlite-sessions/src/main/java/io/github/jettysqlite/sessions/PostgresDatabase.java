package io.github.jettysqlite.sessions;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * A PostgreSQL server reached through a connection pool. Unlike an SQLite file it needs no writer of its own: the
 * server orders concurrent transactions, so each unit of work borrows a connection, runs in its own transaction
 * and gives the connection back.
 *
 * <p>Every store with the same settings shares one instance and so one pool. A pool built from a URL is closed by
 * the last release; an application's own {@link DataSource} is never closed here.
 */
final class PostgresDatabase implements SessionDatabase {
    private static final Map<Object, PostgresDatabase> OPEN = new HashMap<>();

    private final PostgresSettings settings;
    private final DataSource dataSource;
    private final HikariDataSource ownedPool;
    private String location;
    private final Set<String> readyTables = new HashSet<>();
    private int users;

    private PostgresDatabase(PostgresSettings settings, DataSource dataSource, HikariDataSource ownedPool) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.location = settings.location();
    }

    /**
     * Connects (or joins the pool already open with these settings) and makes sure the server holds {@code table}.
     *
     * @throws SessionDatabaseException naming the server and the cause when it cannot be used
     */
    static PostgresDatabase acquire(PostgresSettings settings, SessionTable table) throws SessionDatabaseException {
        return acquire(settings, table, false, TableUse.SERVE);
    }

    /**
     * As {@link #acquire(PostgresSettings, SessionTable)}, but joins a pool already open on the same server and user
     * whatever its settings (administration inside a running server takes the server's pool).
     */
    static PostgresDatabase acquire(
            PostgresSettings settings, SessionTable table, boolean joinOpenSettings, TableUse use)
            throws SessionDatabaseException {
        synchronized (OPEN) {
            PostgresDatabase database = OPEN.get(settings.poolKey());
            if (database == null) {
                database = open(settings);
                OPEN.put(settings.poolKey(), database);
            } else if (!joinOpenSettings && !database.settings.equals(settings)) {
                throw new SessionDatabaseException(
                        "Session database " + settings.location() + " is already open with " + database.settings
                                + "; every store on one server and user must use the same settings, but this one"
                                + " asks for " + settings,
                        null);
            }
            database.users++;
            try {
                database.ensureTable(table, use);
            } catch (SessionDatabaseException e) {
                database.release();
                throw e;
            }
            return database;
        }
    }

    private static PostgresDatabase open(PostgresSettings settings) throws SessionDatabaseException {
        if (settings.dataSource() != null) {
            PostgresDatabase database = new PostgresDatabase(settings, settings.dataSource(), null);
            database.requirePostgres();
            return database;
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.url());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(1);
        config.setConnectionTimeout(Math.max(250, settings.connectTimeoutMs()));
        config.setPoolName("jetty-sessions " + settings.location());
        // Fail now, with the server's own reason, rather than on the first request.
        config.setInitializationFailTimeout(Math.max(1, settings.connectTimeoutMs()));
        try {
            HikariDataSource pool = new HikariDataSource(config);
            return new PostgresDatabase(settings, pool, pool);
        } catch (RuntimeException e) {
            // The pool wraps the driver's refusal, whose SQLSTATE says why.
            Exception cause = e.getCause() instanceof SQLException sql ? sql : e;
            throw DatabaseErrors.describe(settings.location(), Redaction.scrubbed(cause, settings.password()));
        }
    }

    /**
     * An application's data source could point anywhere; the SQL here is PostgreSQL's. Its server's URL (without
     * credentials) names it in every later message.
     */
    private void requirePostgres() throws SessionDatabaseException {
        String[] product = read(c -> new String[] {
            c.connection().getMetaData().getDatabaseProductName(),
            c.connection().getMetaData().getURL()
        });
        if (product[1] != null) {
            location = settings.location() + " (" + PostgresSettings.redact(product[1]) + ")";
        }
        if (!"PostgreSQL".equalsIgnoreCase(product[0])) {
            throw new SessionDatabaseException(
                    "Session database " + location() + " is " + product[0]
                            + ", not PostgreSQL; a DataSource must reach PostgreSQL (for SQLite, set databaseFile)",
                    null);
        }
    }

    private void ensureTable(SessionTable table, TableUse use) throws SessionDatabaseException {
        if (readyTables.contains(table.name())) {
            return;
        }
        if (use != TableUse.SERVE) {
            read(c -> {
                if (use == TableUse.MAINTAIN) {
                    table.requireCurrent(c);
                } else {
                    table.requireReadable(c);
                }
                return null;
            });
            return;
        }
        write(c -> {
            table.ensureSchema(c);
            return null;
        });
        readyTables.add(table.name());
    }

    @Override
    public SqlDialect dialect() {
        return SqlDialect.POSTGRESQL;
    }

    @Override
    public <R> R write(SqlWork<R> work) throws SessionDatabaseException {
        return run(work, true);
    }

    /** One statement in autocommit: BEGIN and COMMIT would add a round trip to the server's own commit. */
    @Override
    public <R> R writeStatement(SqlWork<R> work) throws SessionDatabaseException {
        return run(work, false);
    }

    @Override
    public <R> R read(SqlWork<R> work) throws SessionDatabaseException {
        return run(work, false);
    }

    private <R> R run(SqlWork<R> work, boolean transaction) throws SessionDatabaseException {
        try (Connection connection = dataSource.getConnection()) {
            CachedConnection c = new CachedConnection(connection);
            boolean autoCommit = connection.getAutoCommit();
            try {
                connection.setAutoCommit(!transaction);
                R result = work.run(c);
                if (transaction) {
                    connection.commit();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                if (transaction) {
                    rollbackQuietly(connection);
                }
                throw e;
            } finally {
                c.forgetStatements();
                restoreAutoCommit(connection, autoCommit);
            }
        } catch (SQLException | RuntimeException e) {
            throw DatabaseErrors.describe(location(), Redaction.scrubbed(e, settings.password()));
        }
    }

    /** The connection goes back to a pool that may not be ours: leave it as it was lent. */
    private static void restoreAutoCommit(Connection connection, boolean autoCommit) {
        try {
            connection.setAutoCommit(autoCommit);
        } catch (SQLException ignored) {
            // a broken connection, which the pool discards; the failure that broke it is the one to report
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it, and the server has rolled back already
        }
    }

    /** Gives back one use; the last one closes the pool this instance built. A release beyond the uses is ignored. */
    @Override
    public void release() {
        synchronized (OPEN) {
            if (users <= 0) {
                return;
            }
            if (--users > 0) {
                return;
            }
            OPEN.remove(settings.poolKey(), this);
            if (ownedPool != null) {
                ownedPool.close();
            }
        }
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public String journalMode() {
        return "none (PostgreSQL)";
    }

    @Override
    public long fileBytes() {
        return -1;
    }

    @Override
    public long walBytes() {
        return -1;
    }

    @Override
    public long forcedCheckpoints() {
        return 0;
    }

    /** The server's autovacuum returns free space; nothing to do after a purge. */
    @Override
    public void releaseFreePages() {}

    @Override
    public void backup(Path target, boolean overwrite, SessionDatabaseAdmin.Progress progress)
            throws SessionDatabaseException {
        throw unsupported("backup", "use pg_dump, or the server's own backups");
    }

    @Override
    public void vacuum() throws SessionDatabaseException {
        throw unsupported("vacuum", "autovacuum maintains the table; run VACUUM FULL on it yourself if needed");
    }

    @Override
    public List<String> integrityCheck() throws SessionDatabaseException {
        throw unsupported("check", "use the server's amcheck extension");
    }

    private SessionDatabaseException unsupported(String task, String instead) {
        return new SessionDatabaseException(
                "Session database " + location() + " is on PostgreSQL, where " + task + " is not this library's job: "
                        + instead,
                null);
    }
}
