package io.github.jettysqlite.sessions.internal.engine;

import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.TableUse;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.internal.table.SqlDialect;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the shared store needs from the engine of its settings: the SQL it speaks, and how a store opens its database.
 * It stands where protected methods of the public store and settings classes would: those would put internal types
 * into the API that every user sees. Each engine's settings class registers its engine as the class is initialized,
 * so by the time a settings object exists to be asked, its engine is here.
 */
public final class StoreEngine {
    /** How a store under settings of type {@code S} opens its database. */
    @FunctionalInterface
    public interface Opener<S> {
        /**
         * Opens (or joins) the database, with {@code table} created or upgraded there, checked, or trusted, as
         * {@code use} says.
         */
        SharedDatabases.Lease<? extends SessionDatabase> open(S settings, SessionTable table, TableUse use)
                throws Exception;
    }

    private static final Map<Class<?>, StoreEngine> ENGINES = new ConcurrentHashMap<>();

    private final SqlDialect dialect;
    private final Opener<Object> opener;

    private StoreEngine(SqlDialect dialect, Opener<Object> opener) {
        this.dialect = dialect;
        this.opener = opener;
    }

    /**
     * Makes settings of this class (and its subclasses) reach their engine; once per class. On the class path any
     * code could call this, so a second registration (which would decide how every later store of that engine opens
     * its database, and see its settings, keys included) is refused rather than taken.
     *
     * @throws IllegalStateException when the class already has an engine
     */
    public static <S> void register(Class<S> settingsType, SqlDialect dialect, Opener<? super S> opener) {
        StoreEngine engine = new StoreEngine(
                dialect, (settings, table, use) -> opener.open(settingsType.cast(settings), table, use));
        if (ENGINES.putIfAbsent(settingsType, engine) != null) {
            throw new IllegalStateException(settingsType.getName() + " already has its database engine");
        }
    }

    /**
     * The engine of these settings.
     *
     * @throws IllegalStateException when no class the settings are an instance of registered one
     */
    public static StoreEngine of(Object settings) {
        for (Class<?> type = settings.getClass(); type != null; type = type.getSuperclass()) {
            StoreEngine engine = ENGINES.get(type);
            if (engine != null) {
                return engine;
            }
        }
        throw new IllegalStateException(settings.getClass().getName() + " names no database engine");
    }

    public SqlDialect dialect() {
        return dialect;
    }

    /** Opens the database these settings (of the class the engine registered for) name, for a store. */
    public SharedDatabases.Lease<? extends SessionDatabase> open(Object settings, SessionTable table, TableUse use)
            throws Exception {
        return opener.open(settings, table, use);
    }
}
