package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.admin.ContextStats;
import io.github.jettysqlite.sessions.admin.Progress;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.admin.SessionSummary;
import io.github.jettysqlite.sessions.admin.Stats;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import java.nio.file.Path;
import org.eclipse.jetty.session.SessionContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The administration API on PostgreSQL: the same statistics, listings and purges as on a file. */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLAdminTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private PostgreSQLFixture fixture;
    private SessionTableDataStore shop;

    @BeforeEach
    void start() throws Exception {
        fixture = new PostgreSQLFixture();
        shop = fixture.store(NODE, "_shop", SessionContext.NULL_VHOST);
        SessionTableDataStore blog = fixture.store(NODE, "_blog", SessionContext.NULL_VHOST);
        long now = System.currentTimeMillis();
        put(shop, session(shop, "live", now + HOUR, NODE));
        put(shop, session(shop, "old", now - HOUR, NODE));
        put(blog, session(blog, "old2", now - HOUR, NODE));
        put(blog, blog.newSessionData("forever", now, now, now, -1));
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void statisticsListingAndPurgeWorkOnTheServer() throws Exception {
        try (SessionDatabaseAdmin admin =
                SessionDatabaseAdmin.openCreatingTable(fixture.url(), null, null, "jetty_sessions")) {
            Stats stats = admin.stats();
            assertThat(stats.sessions()).isEqualTo(4);
            assertThat(stats.expired()).isEqualTo(2);
            assertThat(stats.immortal()).isEqualTo(1);
            assertThat(stats.schemaVersion()).isEqualTo(SessionTable.SCHEMA_VERSION);
            assertThat(stats.contexts())
                    .extracting(ContextStats::contextPath)
                    .containsExactlyInAnyOrder("_shop", "_blog");

            assertThat(admin.list("_shop", true, 0, 10))
                    .extracting(SessionSummary::id)
                    .containsExactly("old");
            assertThat(admin.list(null, false, 0, 10))
                    .extracting(SessionSummary::id)
                    .containsExactlyInAnyOrder("live", "forever");
            assertThat(admin.list(null, null, 1, 2)).hasSize(2);
            assertThat(admin.show("live")).singleElement().satisfies(d -> assertThat(d.attributes())
                    .isNotEmpty());

            assertThat(admin.countExpired()).isEqualTo(2);
            assertThat(admin.purgeExpired(java.time.Duration.ZERO, Progress.NONE))
                    .isEqualTo(2);
            assertThat(shop.load("live")).isNotNull();
            assertThat(admin.stats().sessions()).isEqualTo(2);

            assertThatThrownBy(() -> admin.backup(dir.resolve("copy.db"), false, Progress.NONE))
                    .isInstanceOf(SessionDatabaseException.class)
                    .hasMessageContaining("pg_dump");

            assertThat(admin.deleteAll(Progress.NONE)).isEqualTo(2);
            assertThat(admin.stats().sessions()).isZero();
        }
    }
}
