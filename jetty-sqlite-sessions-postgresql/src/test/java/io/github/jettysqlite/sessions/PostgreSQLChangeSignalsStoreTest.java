package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.OTHER_NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import io.github.jettysqlite.sessions.support.Waiting;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two nodes on one PostgreSQL server, each with a pool and a listening connection of its own (as two JVMs have them):
 * a coherent cache's check of a copy no change was announced for reads no row, and every change that a cache must
 * see, made on the other node, is seen by the very next check.
 */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLChangeSignalsStoreTest {
    private static final long HOUR = 3_600_000;

    private PostgreSQLFixture fixtureA;
    private PostgreSQLFixture fixtureB;
    private SessionTableDataStore nodeA;
    private SessionTableDataStore nodeB;
    private SessionData cached;

    @BeforeEach
    void start() throws Exception {
        String url = PostgreSQLServer.get().freshSchemaUrl();
        // Two URLs naming one schema, so two pools, two databases and two listeners in this JVM.
        fixtureA = new PostgreSQLFixture(url.replace("currentSchema=", "ApplicationName=nodeA&currentSchema="));
        fixtureB = new PostgreSQLFixture(url.replace("currentSchema=", "ApplicationName=nodeB&currentSchema="));
        nodeA = fixtureA.store(NODE, "/app", SessionContext.NULL_VHOST);
        nodeB = fixtureB.store(OTHER_NODE, "/app", SessionContext.NULL_VHOST);
        put(nodeB, session(nodeB, "s1", System.currentTimeMillis() + HOUR, OTHER_NODE));
        cached = nodeA.load("s1");
        trustedOnSignals();
    }

    @AfterEach
    void stop() throws Exception {
        fixtureA.close();
        fixtureB.close();
    }

    /** Checks until a check is answered by the signals alone: node A's listener has connected and caught up. */
    private void trustedOnSignals() throws Exception {
        nodeA.getStatistics().reset();
        Waiting.until("node A uses its copy on the signals alone", () -> {
            assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.CURRENT);
            return nodeA.getStatistics().getCacheChecksSignalled() > 0;
        });
        nodeA.getStatistics().reset();
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
    void everyChangeMadeOnTheOtherNodeIsSeenByTheNextCheck() throws Exception {
        SessionData other = nodeB.load("s1");
        other.setAttribute("b", "from B");
        nodeB.store("s1", other);
        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.ATTRIBUTES_CHANGED);

        cached = nodeA.load("s1");
        trustedOnSignals();
        other = nodeB.load("s1");
        other.setMaxInactiveMs(8 * HOUR);
        nodeB.store("s1", other);
        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.METADATA_TAKEN);
        assertThat(cached.getMaxInactiveMs()).isEqualTo(8 * HOUR);

        trustedOnSignals();
        assertThat(nodeB.delete("s1")).isTrue();
        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.GONE);
    }

    @Test
    void aLogoutOnTheOtherNodeIsSeenAtOnceEveryTime() throws Exception {
        for (int i = 0; i < 20; i++) {
            String id = "user" + i;
            put(nodeA, session(nodeA, id, System.currentTimeMillis() + HOUR, NODE));
            SessionData copy = nodeA.load(id);
            nodeA.getStatistics().reset();
            Waiting.until("node A trusts " + id, () -> {
                nodeA.cachedCopies().check(copy);
                return nodeA.getStatistics().getCacheChecksSignalled() > 0;
            });
            nodeB.delete(id);
            assertThat(nodeA.cachedCopies().check(copy)).as(id).isEqualTo(CachedSessionCheck.GONE);
        }
    }
}
