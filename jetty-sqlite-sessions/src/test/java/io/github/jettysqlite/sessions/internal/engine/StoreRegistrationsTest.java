package io.github.jettysqlite.sessions.internal.engine;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.internal.table.SqlDialect;
import java.lang.invoke.MethodHandles;
import org.junit.jupiter.api.Test;

/**
 * On the class path any code can reach these registries; a second registration would decide how every later store
 * opens its database (seeing its settings, keys included) or what every store's operations run. Both are refused.
 */
class StoreRegistrationsTest {
    @Test
    void anEngineAlreadyRegisteredForASettingsClassCannotBeReplaced() throws Exception {
        MethodHandles.lookup().ensureInitialized(SQLiteSessionSettings.class);

        assertThatThrownBy(() -> StoreEngine.register(SQLiteSessionSettings.class, SqlDialect.SQLITE, (s, t, u) -> {
                    throw new AssertionError("a hijacked engine opened the database");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already has its database engine");
    }

    @Test
    void theStoresAdministrationCannotBeReplaced() throws Exception {
        MethodHandles.lookup().ensureInitialized(SessionDatabaseAdmin.class);

        assertThatThrownBy(() -> StoreAdmins.install((database, table) -> {
                    throw new AssertionError("a hijacked administration ran");
                }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already installed");
    }
}
