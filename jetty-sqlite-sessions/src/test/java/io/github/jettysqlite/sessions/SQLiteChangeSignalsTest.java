package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.OTHER_NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.admin.SessionDatabaseAdmin;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On SQLite, a cache's check of a copy no change was announced for reads nothing; every change that a cache must see
 * is announced, and a change written by other programs is seen once the copy's trust runs out.
 */
class SQLiteChangeSignalsTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private StoreFixture fixture;
    private SessionTableDataStore nodeA;
    private SessionTableDataStore nodeB;
    private SessionData cached;

    @BeforeEach
    void start() throws Exception {
        fixture = SQLiteFixture.in(dir);
        nodeA = fixture.store(NODE, "/app", SessionContext.NULL_VHOST);
        nodeB = fixture.store(OTHER_NODE, "/app", SessionContext.NULL_VHOST);
        put(nodeA, session(nodeA, "s1", System.currentTimeMillis() + HOUR, NODE));
        cached = nodeA.load("s1");
        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.CURRENT);
        nodeA.getStatistics().reset();
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void aCopyNothingChangedIsUsedWithoutReadingItsRowEvenWhileAnotherNodeAccessesIt() throws Exception {
        SessionData other = nodeB.load("s1");
        other.setAccessed(other.getAccessed() + 1_000);
        nodeB.store("s1", other);

        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.CURRENT);
        assertThat(nodeA.getStatistics().getCacheChecksSignalled()).isEqualTo(1);
        assertThat(nodeA.getStatistics().getCacheChecks()).isZero();
    }

    @Test
    void everyChangeACacheMustSeeIsAnnounced() throws Exception {
        SessionData other = nodeB.load("s1");
        other.setAttribute("b", "from B");
        nodeB.store("s1", other);
        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.ATTRIBUTES_CHANGED);

        cached = nodeA.load("s1");
        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.CURRENT);
        other = nodeB.load("s1");
        other.setMaxInactiveMs(8 * HOUR);
        nodeB.store("s1", other);
        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.METADATA_TAKEN);
        assertThat(cached.getMaxInactiveMs()).isEqualTo(8 * HOUR);

        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.CURRENT);
        assertThat(nodeB.delete("s1")).isTrue();
        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.GONE);
    }

    @Test
    void aCopysOwnWriteAfterAnotherNodesChangeDoesNotMakeItTrustedAgain() throws Exception {
        // A request on node A holds the session (checked before), node B logs the user out meanwhile, and A's request
        // then saves a timeout of its own: the copy still says alice, so A must read the row before using it again.
        SessionData other = nodeB.load("s1");
        other.setAttribute("user", null);
        nodeB.store("s1", other);
        cached.setMaxInactiveMs(2 * HOUR);
        nodeA.store("s1", cached);

        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.ATTRIBUTES_CHANGED);
        assertThat(nodeA.load("s1").getAttribute("user")).isNull();
    }

    @Test
    void aCopysOwnWriteKeepsItTrustedWhenNothingElseChanged() throws Exception {
        cached.setAttribute("cart", "book");
        nodeA.store("s1", cached);
        assertThat(nodeA.markedWrites())
                .as("checked and trusted: the write carries the trust")
                .isEqualTo(1);
        cached.setMaxInactiveMs(2 * HOUR);
        nodeA.store("s1", cached);

        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.CURRENT);
        assertThat(nodeA.getStatistics().getCacheChecksSignalled()).isEqualTo(1);
        assertThat(nodeA.getStatistics().getCacheChecks()).isZero();
    }

    @Test
    void aWriteOfDataNoCheckTrustsReadsNoMarkAndIsStillSeenByOtherNodes() throws Exception {
        // Loaded, never checked: what a store under Jetty's default or null cache writes, or a session just reloaded.
        SessionData atB = nodeB.load("s1");
        nodeB.getStatistics().reset();

        atB.setAttribute("cart", "book");
        nodeB.store("s1", atB);
        assertThat(nodeB.markedWrites()).as("a mark costs reads of the board").isZero();
        assertThat(nodeB.cachedCopies().check(atB)).isEqualTo(CachedSessionCheck.CURRENT);
        assertThat(nodeB.getStatistics().getCacheChecksSignalled())
                .as("no mark was asked for, so the copy is not trusted after its write")
                .isZero();
        assertThat(nodeB.getStatistics().getCacheChecks()).isEqualTo(1);

        // The write was announced all the same: node A's trusted copy is not used as it was.
        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.ATTRIBUTES_CHANGED);
    }

    @Test
    void aSessionEndedByAnAdministratorIsSeenAtOnce() throws Exception {
        try (SessionDatabaseAdmin admin = SessionDatabaseAdmin.open(Path.of(fixture.database()), "jetty_sessions")) {
            assertThat(admin.deleteSession("s1")).isEqualTo(1);
        }
        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.GONE);
    }

    @Test
    void aWriterOutsideTheLibraryIsSeenOnceTheCopysTrustRunsOut() throws Exception {
        try (Connection c = fixture.connect();
                Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("DELETE FROM jetty_sessions WHERE session_id = 's1'"))
                    .isEqualTo(1);
        }
        Waiting.until(
                "the cached copy checked against its row again",
                () -> nodeA.cachedCopies().check(cached) == CachedSessionCheck.GONE);
        assertThat(nodeA.getStatistics().getCacheChecks()).isEqualTo(1);
    }

    @Test
    void aCopyThatLooksExpiredIsAlwaysCheckedAgainstItsRow() throws Exception {
        // Kept alive through node B (an access alone, not announced) while this copy's own clock ran out.
        SessionData other = nodeB.load("s1");
        long later = other.getAccessed() + 1_000;
        other.setAccessed(later);
        other.setExpiry(later + HOUR);
        nodeB.store("s1", other);
        cached.setExpiry(System.currentTimeMillis() - 1);

        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.METADATA_TAKEN);
        assertThat(nodeA.getStatistics().getCacheChecks()).isEqualTo(1);
        assertThat(cached.isExpiredAt(System.currentTimeMillis())).isFalse();
    }
}
