package io.github.jettysqlite.sessions.internal.engine;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.table.SessionSchema;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The open databases of one engine, shared and reference-counted: every store (one per context) and tool that
 * names the same database uses one instance, so a server holds one writer per SQLite file and one pool per
 * PostgreSQL server and user, however many contexts it runs. The last {@link Lease} returned closes the database;
 * a later acquire opens it anew, so a store survives its context being stopped and started again.
 *
 * @param <K> what tells two databases apart (the real file, the URL and user)
 * @param <D> the engine's database
 */
public final class SharedDatabases<K, D extends SessionDatabase> {
    /** Opens the database for a key not open yet. */
    @FunctionalInterface
    public interface Opener<K, D> {
        D open(K key) throws SessionDatabaseException;
    }

    /** Checks that a database already open may be shared by this caller; throws, naming the difference, if not. */
    @FunctionalInterface
    public interface Compatibility<D> {
        void check(D open) throws SessionDatabaseException;
    }

    private final Map<K, Entry<D>> open = new HashMap<>();

    /**
     * Opens the database or joins the instance already open, and makes sure it holds the table as the use needs:
     * created or upgraded for {@link TableUse#SERVE}, taken as it is for {@link TableUse#SERVE_TRUSTED}, checked only
     * for the other uses.
     */
    public Lease<D> acquire(
            K key, Opener<K, D> opener, Compatibility<D> compatibility, SessionSchema schema, TableUse use)
            throws SessionDatabaseException {
        synchronized (open) {
            Entry<D> entry = open.get(key);
            if (entry == null) {
                entry = new Entry<>(opener.open(key));
                open.put(key, entry);
            } else {
                compatibility.check(entry.database);
            }
            entry.users++;
            Lease<D> lease = new Lease<>(this, key, entry);
            try {
                prepare(entry, schema, use);
            } catch (SessionDatabaseException | RuntimeException e) {
                lease.close();
                throw e;
            }
            return lease;
        }
    }

    /** Whether a database is open for this key; for tests that check a database was closed. */
    public boolean isOpen(K key) {
        synchronized (open) {
            return open.containsKey(key);
        }
    }

    private static <D extends SessionDatabase> void prepare(Entry<D> entry, SessionSchema schema, TableUse use)
            throws SessionDatabaseException {
        switch (use) {
            case SERVE -> ensureOnce(entry, schema);
            case SERVE_VALIDATED -> check(entry, schema::requireAsCreated);
            case SERVE_TRUSTED -> {}
            case MAINTAIN -> check(entry, schema::requireCurrent);
            case INSPECT -> check(entry, schema::requireReadable);
        }
    }

    /** Creates or upgrades the table, once per opening of the database, in one write transaction. */
    private static <D extends SessionDatabase> void ensureOnce(Entry<D> entry, SessionSchema schema)
            throws SessionDatabaseException {
        String table = schema.tableName();
        if (entry.readyTables.add(table)) {
            try {
                entry.database.lengthy(() -> entry.database.write(c -> {
                    schema.ensure(c);
                    return null;
                }));
            } catch (SessionDatabaseException | RuntimeException e) {
                entry.readyTables.remove(table);
                throw e;
            }
        }
    }

    /** Runs a check of the table that reads and changes nothing. */
    private static <D extends SessionDatabase> void check(Entry<D> entry, SchemaCheck check)
            throws SessionDatabaseException {
        entry.database.read(c -> {
            check.run(c);
            return null;
        });
    }

    @FunctionalInterface
    private interface SchemaCheck {
        void run(CachedConnection c) throws SQLException;
    }

    /**
     * The last user closes the database, outside the registry's monitor: closing can take a while (an SQLite file's
     * last checkpoint and optimize, a pool's connections), and every other database's acquire and release would
     * wait for it. Taken out of the registry first, the closing instance is no longer found; a new acquire of the
     * same key opens a fresh one, which the engines allow beside one still closing.
     */
    private void release(K key, Entry<D> entry) {
        synchronized (open) {
            if (--entry.users > 0) {
                return;
            }
            open.remove(key, entry);
        }
        entry.database.close();
    }

    private static final class Entry<D> {
        final D database;
        final Set<String> readyTables = new HashSet<>();
        int users;

        Entry(D database) {
            this.database = database;
        }
    }

    /**
     * One use of a shared database. Closing it gives the use back, once: closing again does nothing, so a caller
     * that stops twice can never close the database under another.
     */
    public static final class Lease<D extends SessionDatabase> implements AutoCloseable {
        private final SharedDatabases<?, D> registry;
        private final Object key;
        private final Entry<D> entry;
        private boolean closed;

        private <K> Lease(SharedDatabases<K, D> registry, K key, Entry<D> entry) {
            this.registry = registry;
            this.key = key;
            this.entry = entry;
        }

        public D database() {
            return entry.database;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            ((SharedDatabases<Object, D>) registry).release(key, entry);
        }
    }
}
