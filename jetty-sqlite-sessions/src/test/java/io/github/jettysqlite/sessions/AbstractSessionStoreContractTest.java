package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.OTHER_NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.UnreadableSessionDataException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jetty's SessionDataStore contract, rule by rule, on a real SQLite file and on a real PostgreSQL server. */
abstract class AbstractSessionStoreContractTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    StoreFixture fixture;
    SessionTableDataStore store;
    private long now;

    /** The engine under test: a fixture of its own in the directory. */
    abstract StoreFixture newFixture(Path dir) throws Exception;

    @BeforeEach
    void start() throws Exception {
        fixture = newFixture(dir);
        store = fixture.store();
        now = System.currentTimeMillis();
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void loadRestoresEveryFieldExactly() throws Exception {
        SessionData data =
                store.newSessionData("s1", 1_700_000_000_123L, 1_700_000_005_456L, 1_700_000_004_789L, 1_800_000);
        data.setCookieSet(1_700_000_000_999L);
        data.setExpiry(1_700_001_805_457L);
        data.setLastNode(OTHER_NODE);
        data.setAttribute("user", "alice");
        data.setAttribute("roles", List.of("admin", "ops"));
        data.setLastSaved(1_700_000_005_500L);
        store.doStore("s1", data, 0);

        SessionData loaded = store.load("s1");

        assertThat(loaded.getId()).isEqualTo("s1");
        assertThat(loaded.getContextPath()).isEqualTo("/app");
        assertThat(loaded.getVhost()).isEqualTo(SessionContext.NULL_VHOST);
        assertThat(loaded.getCreated()).isEqualTo(1_700_000_000_123L);
        assertThat(loaded.getAccessed()).isEqualTo(1_700_000_005_456L);
        assertThat(loaded.getLastAccessed()).isEqualTo(1_700_000_004_789L);
        assertThat(loaded.getMaxInactiveMs()).isEqualTo(1_800_000);
        assertThat(loaded.getCookieSet()).isEqualTo(1_700_000_000_999L);
        assertThat(loaded.getExpiry()).isEqualTo(1_700_001_805_457L);
        assertThat(loaded.getLastNode()).isEqualTo(OTHER_NODE);
        assertThat(loaded.getLastSaved()).isEqualTo(1_700_000_005_500L);
        assertThat(loaded.getAllAttributes()).isEqualTo(Map.of("user", "alice", "roles", List.of("admin", "ops")));
    }

    @Test
    void loadOfUnknownSessionReturnsNull() throws Exception {
        assertThat(store.load("nobody")).isNull();
    }

    @Test
    void emptyAttributeMapRoundTrips() throws Exception {
        SessionData data = session(store, "s1", now + HOUR, NODE);
        data.clearAllAttributes();
        put(store, data);

        assertThat(store.load("s1").getAllAttributes()).isEmpty();
    }

    @Test
    void immortalSessionIsStoredWithoutExpiryAndNeverExpires() throws Exception {
        SessionData data = store.newSessionData("forever", now - HOUR, now - HOUR, now - HOUR, -1);
        assertThat(data.getExpiry()).isZero();
        put(store, data);

        assertThat(fixture.query("SELECT expires_at FROM jetty_sessions"))
                .containsExactly(java.util.Arrays.asList((Object) null));
        assertThat(store.load("forever").getExpiry()).isZero();
        assertThat(store.exists("forever")).isTrue();
        assertThat(store.doGetExpired(Long.MAX_VALUE / 2)).isEmpty();
        assertThat(store.doCheckExpired(Set.of("forever"), now + 1000 * HOUR)).isEmpty();
        store.doCleanOrphans(now + 1000 * HOUR);
        assertThat(store.load("forever")).isNotNull();
    }

    @Test
    void expiredSessionStillLoads() throws Exception {
        put(store, session(store, "old", now - HOUR, NODE));

        SessionData loaded = store.load("old");

        assertThat(loaded).isNotNull();
        assertThat(loaded.getExpiry()).isEqualTo(now - HOUR);
        assertThat(loaded.isExpiredAt(now)).isTrue();
    }

    @Test
    void existsIsTrueOnlyForUnexpiredSessions() throws Exception {
        put(store, session(store, "live", now + HOUR, NODE));
        put(store, session(store, "dead", now - 1, NODE));

        assertThat(store.exists("live")).isTrue();
        assertThat(store.exists("dead")).isFalse();
        assertThat(store.exists("never-stored")).isFalse();
    }

    @Test
    void anotherContextOnTheSameFileSeesNoneOfTheSessions() throws Exception {
        SessionTableDataStore other = fixture.store(NODE, "/other", SessionContext.NULL_VHOST);
        put(store, session(store, "s1", now - 1, NODE));

        assertThat(other.load("s1")).isNull();
        assertThat(other.exists("s1")).isFalse();
        assertThat(other.doGetExpired(now)).isEmpty();
        assertThat(other.delete("s1")).isFalse();
        assertThat(store.load("s1")).isNotNull();
    }

    @Test
    void anotherVirtualHostSeesNoneOfTheSessions() throws Exception {
        SessionTableDataStore otherHost = fixture.store(NODE, "/app", "example.org");
        put(store, session(store, "s1", now - 1, NODE));

        assertThat(otherHost.load("s1")).isNull();
        assertThat(otherHost.doGetExpired(now)).isEmpty();
        assertThat(otherHost.doCheckExpired(Set.of(), now)).isEmpty();
    }

    @Test
    void sameIdInTwoContextsKeepsTwoSessions() throws Exception {
        SessionTableDataStore other = fixture.store(NODE, "/other", SessionContext.NULL_VHOST);
        SessionData mine = session(store, "shared-id", now + HOUR, NODE);
        SessionData theirs = session(other, "shared-id", now + HOUR, NODE);
        theirs.setAttribute("user", "bob");
        put(store, mine);
        put(other, theirs);

        assertThat(store.load("shared-id").getAttribute("user")).isEqualTo("alice");
        assertThat(other.load("shared-id").getAttribute("user")).isEqualTo("bob");
        assertThat(other.delete("shared-id")).isTrue();
        assertThat(store.load("shared-id")).isNotNull();
    }

    @Test
    void deleteReportsWhetherThereWasASession() throws Exception {
        put(store, session(store, "s1", now + HOUR, NODE));

        assertThat(store.delete("s1")).isTrue();
        assertThat(store.load("s1")).isNull();
        assertThat(store.delete("s1")).isFalse();
    }

    @Test
    void aDeleteNamingTheCreationTimeLeavesAnotherSessionUnderTheId() throws Exception {
        SessionData data = session(store, "s1", now + HOUR, NODE);
        put(store, data);
        SessionTableDataStore other = fixture.store(NODE, "/other", SessionContext.NULL_VHOST);
        put(other, session(other, "s1", now + HOUR, NODE));

        assertThat(store.deleteCreatedAt("s1", data.getCreated() + 1))
                .as("another session's time")
                .isFalse();
        assertThat(store.load("s1")).isNotNull();
        assertThat(store.deleteCreatedAt("s1", data.getCreated())).isTrue();
        assertThat(store.load("s1")).isNull();
        assertThat(other.load("s1")).as("the same id in another context").isNotNull();
    }

    @Test
    void checkExpiredReturnsCandidatesNoLongerInTheStore() {
        assertThat(store.doCheckExpired(Set.of("gone1", "gone2"), now)).containsExactlyInAnyOrder("gone1", "gone2");
    }

    @Test
    void checkExpiredReturnsExpiredCandidatesWhicheverNodeUsedThemLast() throws Exception {
        put(store, session(store, "mine", now - 1, NODE));
        put(store, session(store, "theirs", now - 1, OTHER_NODE));

        assertThat(store.doCheckExpired(Set.of("mine", "theirs"), now)).containsExactlyInAnyOrder("mine", "theirs");
    }

    @Test
    void checkExpiredSkipsCandidatesAnotherNodeKeptAlive() throws Exception {
        put(store, session(store, "refreshed", now + HOUR, OTHER_NODE));

        assertThat(store.doCheckExpired(Set.of("refreshed"), now)).isEmpty();
    }

    @Test
    void checkExpiredAddsThisNodesOwnExpiredSessionsOfThisContext() throws Exception {
        SessionTableDataStore other = fixture.store(NODE, "/other", SessionContext.NULL_VHOST);
        put(store, session(store, "mine-expired", now - 1, NODE));
        put(store, session(store, "theirs-expired", now - 1, OTHER_NODE));
        put(store, session(store, "mine-live", now + HOUR, NODE));
        put(other, session(other, "mine-elsewhere", now - 1, NODE));

        assertThat(store.doCheckExpired(Set.of(), now)).containsExactly("mine-expired");
    }

    @Test
    void checkExpiredCountsExpiryAtExactlyTheTimeAsExpired() throws Exception {
        put(store, session(store, "edge", now, OTHER_NODE));

        assertThat(store.doCheckExpired(Set.of("edge"), now)).containsExactly("edge");
        assertThat(store.doCheckExpired(Set.of("edge"), now - 1)).isEmpty();
    }

    @Test
    void checkExpiredHandlesIdsThatNeedEscaping() throws Exception {
        String[] ids = {"quote\"id", "back\\slash", "new\nline", "ünïcødé-☃", "percent%_under", "it's"};
        for (String id : ids) {
            put(store, session(store, id, now + HOUR, OTHER_NODE));
        }

        assertThat(store.doCheckExpired(Set.of(ids), now)).isEmpty();
        assertThat(store.doCheckExpired(Set.of(ids), now + 2 * HOUR)).containsExactlyInAnyOrder(ids);
    }

    @Test
    void getExpiredReturnsThisContextsSessionsOfAnyNodeExpiredAtOrBefore() throws Exception {
        SessionTableDataStore other = fixture.store(NODE, "/other", SessionContext.NULL_VHOST);
        put(store, session(store, "at-limit", now - HOUR, OTHER_NODE));
        put(store, session(store, "before-limit", now - 2 * HOUR, NODE));
        put(store, session(store, "after-limit", now - HOUR + 1, NODE));
        put(other, session(other, "other-context", now - 2 * HOUR, NODE));

        assertThat(store.doGetExpired(now - HOUR)).containsExactlyInAnyOrder("at-limit", "before-limit");
    }

    @Test
    void cleanOrphansDeletesExpiredSessionsOfEveryContextOnly() throws Exception {
        SessionTableDataStore other = fixture.store(OTHER_NODE, "/other", "example.org");
        put(store, session(store, "expired-here", now - HOUR, NODE));
        put(other, session(other, "expired-there", now - HOUR, OTHER_NODE));
        put(store, session(store, "live", now + HOUR, NODE));
        put(store, store.newSessionData("immortal", now, now, now, 0));

        store.doCleanOrphans(now - HOUR);

        assertThat(fixture.query("SELECT session_id FROM jetty_sessions ORDER BY session_id"))
                .containsExactly(List.of("immortal"), List.of("live"));
    }

    @Test
    void cleanOrphansDeletesMoreRowsThanOneBatch() throws Exception {
        int count = SessionTableDataStore.EXPIRED_DELETE_BATCH * 2 + 7;
        for (int i = 0; i < count; i++) {
            put(store, session(store, "s" + i, now - HOUR, NODE));
        }

        store.doCleanOrphans(now);

        assertThat(fixture.query("SELECT count(*) FROM jetty_sessions")).containsExactly(List.of(0));
    }

    @Test
    void metadataOnlyStoreComparesButNeverRewritesUnchangedAttributes() throws Exception {
        CountingAttribute.writes.set(0);
        SessionData data = session(store, "s1", now + HOUR, NODE);
        data.setAttribute("counted", new CountingAttribute());
        store.store("s1", data);
        assertThat(CountingAttribute.writes).hasValue(1);
        List<Object> before = fixture.query("SELECT attributes, attributes_version FROM jetty_sessions")
                .get(0);
        Object blobBefore = before.get(0);

        SessionData loaded = store.load("s1");
        loaded.setAccessed(now + 5_000);
        loaded.setLastAccessed(now);
        loaded.calcAndSetExpiry(now + 5_000);
        loaded.setMetaDataDirty(true);
        store.store("s1", loaded);

        // Serialized once more, to find a change made in place; identical, so nothing but the metadata is written.
        assertThat(CountingAttribute.writes).hasValue(2);
        List<Object> row = fixture.query("SELECT accessed_ms, attributes, attributes_version FROM jetty_sessions")
                .get(0);
        assertThat(row.get(0)).isEqualTo(now + 5_000);
        assertThat((byte[]) row.get(1)).isEqualTo((byte[]) blobBefore);
        assertThat(row.get(2)).as("the attributes' version stays").isEqualTo(before.get(1));
        assertThat(store.load("s1").getExpiry()).isEqualTo(now + 5_000 + 60_000);
    }

    @Test
    void withoutTheInPlaceComparisonAMetadataOnlyStoreSerializesNothing() throws Exception {
        SessionTableDataStore trusting =
                fixture.store(NODE, "/trusting", SessionContext.NULL_VHOST, s -> s.setSaveInPlaceChanges(false));
        CountingAttribute.writes.set(0);
        SessionData data = session(trusting, "s1", now + HOUR, NODE);
        data.setAttribute("counted", new CountingAttribute());
        trusting.store("s1", data);

        SessionData loaded = trusting.load("s1");
        loaded.setAccessed(now + 5_000);
        loaded.setMetaDataDirty(true);
        trusting.store("s1", loaded);
        loaded.setAttribute("other", "set");
        trusting.store("s1", loaded);

        assertThat(CountingAttribute.writes).hasValue(1);
        assertThat(trusting.load("s1").getAttribute("other")).isEqualTo("set");
    }

    @Test
    void changedAttributesAreSerializedAndWritten() throws Exception {
        SessionData data = session(store, "s1", now + HOUR, NODE);
        store.store("s1", data);

        SessionData loaded = store.load("s1");
        loaded.setAttribute("user", "bob");
        store.store("s1", loaded);

        assertThat(store.load("s1").getAttribute("user")).isEqualTo("bob");
    }

    @Test
    void anAttributeNameTooLongToStoreIsRefusedInWordsAndTheRowKeepsWhatItHeld() throws Exception {
        SessionData data = session(store, "s1", now + HOUR, NODE);
        store.store("s1", data);
        SessionData loaded = store.load("s1");
        loaded.setAttribute("user", "bob");
        loaded.setAttribute("n".repeat(70_000), "too long a name");

        assertThatThrownBy(() -> store.store("s1", loaded))
                .hasStackTraceContaining("70000 bytes long in modified UTF-8; a name may have at most 65,535");
        assertThat(store.load("s1").getAttribute("user")).isEqualTo(data.getAttribute("user"));
    }

    @Test
    void storeOfARowDeletedMeanwhileLeavesItDeleted() throws Exception {
        SessionData data = session(store, "s1", now + HOUR, NODE);
        store.store("s1", data);
        fixture.update("DELETE FROM jetty_sessions");

        data.setAccessed(now + 1);
        data.setMetaDataDirty(true);
        store.store("s1", data);
        data.setAttribute("user", "mallory");
        store.store("s1", data);

        assertThat(store.load("s1")).isNull();
        assertThat(store.getStatistics().getStoresOfDeletedSessions()).isEqualTo(2);
    }

    @Test
    void savePeriodSkipsMetadataOnlyWritesWithinThePeriod() throws Exception {
        store.stop();
        store.setSavePeriodSec(3600);
        store.start();
        SessionData data = session(store, "s1", now + HOUR, NODE);
        store.store("s1", data);
        long firstSave = data.getLastSaved();
        long firstAccess = data.getAccessed();

        data.setAccessed(now + 10);
        data.setMetaDataDirty(true);
        store.store("s1", data);

        assertThat(fixture.query("SELECT last_saved_ms, accessed_ms FROM jetty_sessions")
                        .get(0))
                .containsExactly(firstSave, firstAccess);
        data.setAttribute("user", "dave");
        store.store("s1", data);
        assertThat(store.load("s1").getAttribute("user")).isEqualTo("dave");
    }

    @Test
    void corruptAttributesMakeLoadThrowUnreadableSessionData() throws Exception {
        put(store, session(store, "s1", now + HOUR, NODE));
        fixture.update(
                "UPDATE jetty_sessions SET attributes = ?", (Object) new byte[] {(byte) 0xde, (byte) 0xad, 0x0b});

        assertThatThrownBy(() -> store.load("s1"))
                .isInstanceOf(UnreadableSessionDataException.class)
                .hasMessageContaining("s1");
    }

    @Test
    void storeSurvivesItsContextStoppingAndStarting() throws Exception {
        put(store, session(store, "s1", now + HOUR, NODE));
        store.stop();
        store.start();

        assertThat(store.load("s1").getAttribute("user")).isEqualTo("alice");
    }

    @Test
    void storesOnOneDatabaseKeepItOpenUntilTheLastStops() throws Exception {
        SessionTableDataStore other = fixture.store(NODE, "/other", SessionContext.NULL_VHOST);
        put(store, session(store, "s1", now + HOUR, NODE));

        store.stop();
        assertThat(other.exists("none")).isFalse();
        assertThat(other.admin().countAll()).isEqualTo(1);
        other.stop();
        store.start();

        assertThat(store.load("s1").getAttribute("user")).isEqualTo("alice");
    }

    /** Counts its own serializations, to tell whether a store serialized the attributes. */
    static final class CountingAttribute implements Serializable {
        static final AtomicInteger writes = new AtomicInteger();

        private void writeObject(ObjectOutputStream out) throws IOException {
            writes.incrementAndGet();
            out.defaultWriteObject();
        }
    }
}
