package io.github.jettysqlite.sessions.internal.engine;

import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.lang.invoke.MethodHandles;
import java.util.function.BiFunction;

/**
 * How a running store gets the admin API over the database it opened. The admin package's factory for that takes
 * internal types, which a public method of an exported package must not show its users; so the admin class hands
 * its factory in here as it is initialized, and the store, a package away, asks here.
 */
public final class StoreAdmins {
    private static volatile BiFunction<SessionDatabase, SessionTable, ?> factory;

    private StoreAdmins() {}

    /**
     * Called once, by the admin class's initializer; refused afterwards, since on the class path any code could
     * otherwise put its own administration behind every store's operations.
     *
     * @throws IllegalStateException when a factory is already installed
     */
    public static synchronized void install(BiFunction<SessionDatabase, SessionTable, ?> adminOf) {
        if (factory != null) {
            throw new IllegalStateException("the store's administration is already installed");
        }
        factory = adminOf;
    }

    /** Administration of {@code database}, sharing its connections, as {@code adminType} installed it. */
    public static <A> A of(Class<A> adminType, SessionDatabase database, SessionTable table) {
        try {
            // Naming a class does not initialize it; its initializer is what installs the factory.
            MethodHandles.lookup().ensureInitialized(adminType);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return adminType.cast(factory.apply(database, table));
    }
}
