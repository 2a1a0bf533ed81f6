package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.OTHER_NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.admin.AttributeReader;
import io.github.jettysqlite.sessions.admin.ContextStats;
import io.github.jettysqlite.sessions.admin.Progress;
import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.admin.SessionDetail;
import io.github.jettysqlite.sessions.admin.SessionSummary;
import io.github.jettysqlite.sessions.admin.Stats;
import io.github.jettysqlite.sessions.internal.sqlite.SQLiteDatabase;
import io.github.jettysqlite.sessions.internal.sqlite.SQLiteInternals;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import io.github.jettysqlite.sessions.jmx.SessionTableDataStoreMBean;
import io.github.jettysqlite.sessions.support.Waiting;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.eclipse.jetty.jmx.MBeanContainer;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees and does without stopping Jetty: JMX figures and operations, and the admin API. */
class OperationsTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private SQLiteFixture fixture;
    private SQLiteSessionDataStore store;
    private long now;

    @BeforeEach
    void start() throws Exception {
        fixture = new SQLiteFixture(dir.resolve("sessions.db"));
        store = fixture.store();
        now = System.currentTimeMillis();
        SQLiteSessionDataStore other = fixture.store(NODE, "/other", SessionContext.NULL_VHOST);
        put(store, session(store, "live1", now + HOUR, NODE));
        put(store, session(store, "live2", now + HOUR, OTHER_NODE));
        put(store, session(store, "expired", now - HOUR, NODE));
        put(other, session(other, "elsewhere", 0, NODE));
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void aStoreNeverStartedFailsInWords() {
        SQLiteSessionDataStore store = new SQLiteSessionDataStore(new SQLiteSessionSettings());

        assertThatThrownBy(() -> store.sessionsOf("alice")).hasMessage("Not started");
        assertThatThrownBy(() -> store.summaryOf("s1")).hasMessage("Not started");
        assertThatThrownBy(() -> store.doGetExpired(0)).hasMessage("Not started");
        assertThatThrownBy(() -> store.doCheckExpired(Set.of("s1"), 0)).hasMessage("Not started");
        assertThatThrownBy(() -> store.doCleanOrphans(0)).hasMessage("Not started");
        assertThatThrownBy(() -> store.doLoad("s1")).hasMessage("Not started");
        SessionData data = new SessionData("s1", "/app", "0.0.0.0", 0, 0, 0, 60_000);
        assertThatThrownBy(() -> store.cachedCopies().check(data)).hasMessage("Not started");
        assertThatThrownBy(() -> store.principalOf(data)).hasMessage("Not started");
    }

    @Test
    void jmxShowsTheStoreThroughJettysMBeanContainer() throws Exception {
        store.load("live1");
        store.load("live2");
        store.delete("nobody");
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        MBeanContainer container = new MBeanContainer(server);
        container.beanAdded(null, store);
        container.beanAdded(store, store.getStatistics());
        try {
            ObjectName name = onlyName(server.queryNames(
                    new ObjectName("io.github.jettysqlite.sessions:type=sqlitesessiondatastore,*"), null));
            ObjectName statistics = onlyName(server.queryNames(
                    new ObjectName("io.github.jettysqlite.sessions:type=sessionstorestatistics,*"), null));

            // Figures that cost a query are operations, so a console polling attributes never scans the table.
            assertThat(server.invoke(name, "countSessions", null, null)).isEqualTo(4L);
            assertThat(server.invoke(name, "countSessionsInContext", null, null))
                    .isEqualTo(3L);
            assertThat(server.invoke(name, "countExpiredSessions", null, null)).isEqualTo(1L);
            assertThat(server.getAttribute(name, "schemaVersion")).isEqualTo(SessionTable.SCHEMA_VERSION);
            assertThat(server.getAttribute(name, "journalMode")).isEqualTo("wal");
            assertThat(server.getAttribute(name, "synchronous")).isEqualTo("NORMAL");
            assertThat(server.getAttribute(name, "tableName")).isEqualTo("jetty_sessions");
            assertThat(server.getAttribute(name, "schemaMode")).isEqualTo("create");
            assertThat((Long) server.getAttribute(name, "fileSizeBytes")).isPositive();
            assertThat(server.getAttribute(statistics, "loadCount")).isEqualTo(2L);
            assertThat(server.getAttribute(statistics, "storeCount")).isEqualTo(3L);
            assertThat(server.getAttribute(statistics, "storeFailures")).isEqualTo(0L);
            assertThat(server.getAttribute(statistics, "deleteCount")).isEqualTo(1L);
            assertThat((Double) server.getAttribute(statistics, "storeMaxMs")).isPositive();

            assertThat(server.invoke(name, "purgeExpiredSessions", null, null)).isEqualTo(1L);
            assertThat(server.invoke(name, "countExpiredSessions", null, null)).isEqualTo(0L);
            Path backup = dir.resolve("backups/copy.db");
            String[] signature = {String.class.getName(), boolean.class.getName()};
            server.invoke(name, "backup", new Object[] {backup.toString(), false}, signature);
            assertThat(new SQLiteFixture(backup).query("SELECT count(*) FROM jetty_sessions"))
                    .containsExactly(List.of(3));
            // An existing file is replaced only when asked.
            put(store, session(store, "after-backup", now + HOUR, NODE));
            assertThatThrownBy(() -> server.invoke(name, "backup", new Object[] {backup.toString(), false}, signature))
                    .hasStackTraceContaining("exists; ask to overwrite it");
            assertThat(new SQLiteFixture(backup).query("SELECT count(*) FROM jetty_sessions"))
                    .containsExactly(List.of(3));
            server.invoke(name, "backup", new Object[] {backup.toString(), true}, signature);
            assertThat(new SQLiteFixture(backup).query("SELECT count(*) FROM jetty_sessions"))
                    .containsExactly(List.of(4));
        } finally {
            container.beanRemoved(null, store);
            container.destroy();
        }
    }

    @Test
    void statsCountSessionsPerContext() throws Exception {
        Stats stats = store.admin().stats();

        assertThat(stats.sessions()).isEqualTo(4);
        assertThat(stats.expired()).isEqualTo(1);
        assertThat(stats.immortal()).isEqualTo(1);
        assertThat(stats.schemaVersion()).isEqualTo(SessionTable.SCHEMA_VERSION);
        assertThat(stats.contexts())
                .extracting(ContextStats::contextPath, ContextStats::sessions)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("/app", 3L),
                        org.assertj.core.groups.Tuple.tuple("/other", 1L));
    }

    @Test
    void listFiltersByContextAndExpiryAndPages() throws Exception {
        SessionDatabaseAdmin admin = store.admin();

        assertThat(admin.list(null, null, 0, 100))
                .extracting(SessionSummary::id)
                .containsExactly("expired", "live1", "live2", "elsewhere");
        assertThat(admin.list("/app", true, 0, 100))
                .extracting(SessionSummary::id)
                .containsExactly("expired");
        assertThat(admin.list("/app", false, 1, 1))
                .extracting(SessionSummary::id)
                .containsExactly("live2");
    }

    @Test
    void showReadsAttributesThroughTheFilter() throws Exception {
        SessionDetail detail = store.admin().show("live1").get(0);

        assertThat(detail.summary().lastNode()).isEqualTo(NODE);
        assertThat(AttributeReader.values(
                        detail,
                        getClass().getClassLoader(),
                        SessionTableSettings.DEFAULT_DESERIALIZATION_FILTER,
                        null,
                        true))
                .containsEntry("user", "alice");
        // Filters see class descriptors, never strings: an Integer attribute meets this pattern.
        SessionData counted = session(store, "counted", now + HOUR, NODE);
        counted.setAttribute("visits", 7);
        put(store, counted);
        SessionDetail withInteger = store.admin().show("counted").get(0);
        assertThatThrownBy(() -> AttributeReader.values(
                        withInteger, getClass().getClassLoader(), "!java.lang.Integer", null, true))
                .hasMessageContaining("REJECTED");
    }

    @Test
    void adminOpenRefusesWhatIsNotASessionDatabase() throws Exception {
        assertThatThrownBy(() -> SessionDatabaseAdmin.open(dir.resolve("missing.db"), "jetty_sessions"))
                .hasMessageEndingWith("missing.db does not exist");
        Files.writeString(dir.resolve("text.db"), "not a database at all, just some text that is long enough");
        assertThatThrownBy(() -> SessionDatabaseAdmin.open(dir.resolve("text.db"), "jetty_sessions"))
                .hasMessageContaining("is not an SQLite database");
        assertThatThrownBy(() -> SessionDatabaseAdmin.open(fixture.file(), "other_table"))
                .hasMessageContaining("has no table named 'other_table'");
        assertThat(Files.exists(dir.resolve("missing.db"))).isFalse();
    }

    @Test
    void deleteAllEmptiesEveryContextInBatches() throws Exception {
        for (int i = 0; i < SessionTableDataStore.EXPIRED_DELETE_BATCH + 10; i++) {
            put(store, session(store, "bulk" + i, now + HOUR, NODE));
        }
        List<Long> progress = new ArrayList<>();
        try (SessionDatabaseAdmin admin = SessionDatabaseAdmin.open(fixture.file(), "jetty_sessions")) {
            assertThat(admin.deleteAll((done, total) -> progress.add(done)))
                    .isEqualTo(SessionTableDataStore.EXPIRED_DELETE_BATCH + 14);
        }
        assertThat(fixture.query("SELECT count(*) FROM jetty_sessions")).containsExactly(List.of(0));
        assertThat(progress)
                .hasSizeGreaterThanOrEqualTo(3)
                .last()
                .isEqualTo((long) SessionTableDataStore.EXPIRED_DELETE_BATCH + 14);
    }

    @Test
    void checkReportsASoundFile() throws Exception {
        assertThat(store.admin().check()).containsExactly("ok");
    }

    @Test
    void fileShrinksAfterAMassExpiryIsPurged() throws Exception {
        storeExpired("big", 1500, 16 * 1024);
        checkpoint();
        long before = Files.size(fixture.file());

        assertThat(store.admin().purgeExpired(Duration.ZERO, Progress.NONE)).isEqualTo(1501);
        checkpoint();

        assertThat(Files.size(fixture.file())).isLessThan(before / 10);
    }

    @Test
    void jettysSweepKeepsAFewFreedPagesForReuseAndGivesBackAMassExpirysSpace() throws Exception {
        storeExpired("small", 200, 1024);
        store.doCleanOrphans(now);

        // An ordinary sweep's pages stay free in the file, for the next sessions; no second write to return them.
        long keptFree = freePages();
        assertThat(keptFree).isPositive().isLessThanOrEqualTo(SQLiteDatabase.FREE_PAGES_KEPT_FOR_REUSE);

        storeExpired("big", 1500, 16 * 1024);
        checkpoint();
        long before = Files.size(fixture.file());
        store.doCleanOrphans(now);
        checkpoint();

        // A mass expiry frees more than the store keeps, and all of it goes back.
        assertThat(freePages()).isZero();
        assertThat(Files.size(fixture.file())).isLessThan(before / 10);
    }

    /** Stores {@code count} sessions that expired an hour ago, each holding an attribute of {@code bytes}. */
    private void storeExpired(String prefix, int count, int bytes) throws Exception {
        byte[] payload = new byte[bytes];
        for (int i = 0; i < count; i++) {
            SessionData data = session(store, prefix + i, now - HOUR, NODE);
            data.setAttribute("payload", payload);
            put(store, data);
        }
    }

    private long freePages() throws Exception {
        return fixture.count("PRAGMA freelist_count");
    }

    @Test
    void freedPagesGoBackInBoundedStepsSoWritersGetTheLockInBetween() throws Exception {
        storeExpired("big", 1500, 16 * 1024);
        SQLiteInternals database = SQLiteInternals.of(fixture.file());
        long before = database.transactions();

        store.admin().purgeExpired(Duration.ZERO, Progress.NONE);

        long transactions = database.transactions() - before;
        database.close();
        // 1,501 rows in batches of 500 take 4 transactions; some 6,000 freed pages, 1,024 a step, at least 5 more.
        assertThat(transactions).isGreaterThanOrEqualTo(4 + 5);
        assertThat(fixture.query("PRAGMA freelist_count")).containsExactly(List.of(0));
    }

    @Test
    void purgeLeavesSessionsThatExpiredWithinTheGracePeriod() throws Exception {
        put(store, session(store, "minute-ago", now - 60_000, NODE));
        put(store, session(store, "hours-ago", now - 2 * HOUR, NODE));

        assertThat(store.admin().purgeExpired(Duration.ofHours(1), Progress.NONE))
                .isEqualTo(2);
        assertThat(store.load("minute-ago")).isNotNull();
        assertThat(store.load("hours-ago")).isNull();
        // The store's own operation keeps the store's grace period (Jetty's default: an hour).
        assertThat(new SessionTableDataStoreMBean(store).purgeExpiredSessions()).isZero();
        assertThat(store.load("minute-ago")).isNotNull();
    }

    /**
     * Copies the whole WAL into the file, which is when SQLite shrinks the file. The store's background checkpointer
     * may be running a checkpoint of its own at that moment, which makes this one answer "busy" at once, so it is
     * tried again until one completes.
     */
    private void checkpoint() throws Exception {
        Waiting.until(
                "a checkpoint that was not busy",
                () -> SQLiteInternals.runExclusive(fixture.file(), c -> {
                    try (var statement = c.connection().createStatement();
                            var result = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                        return result.next() && result.getInt(1) == 0;
                    }
                }));
    }

    private static ObjectName onlyName(Set<ObjectName> names) {
        assertThat(names).hasSize(1);
        return names.iterator().next();
    }
}
