package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.OTHER_NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two requests of one session that load it, change it and store it, interleaved, on two nodes of one database: each
 * keeps the other's changes. The interleavings are arranged step by step, so each case happens every time.
 */
abstract class AbstractConcurrentChangesTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private StoreFixture fixture;
    private SessionTableDataStore nodeA;
    private SessionTableDataStore nodeB;
    private long now;

    /** The engine under test: a fixture of its own in the directory. */
    abstract StoreFixture newFixture(Path dir) throws Exception;

    @BeforeEach
    void start() throws Exception {
        fixture = newFixture(dir);
        nodeA = fixture.store(NODE, "/app", SessionContext.NULL_VHOST);
        nodeB = fixture.store(OTHER_NODE, "/app", SessionContext.NULL_VHOST);
        now = System.currentTimeMillis();
        SessionData s = session(nodeA, "s1", now + HOUR, NODE);
        s.setAttribute("x", "original");
        s.setAttribute("cart", new ArrayList<>(List.of("book")));
        put(nodeA, s);
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void differentAttributesSetConcurrentlyAreBothKept() throws Exception {
        SessionData first = nodeA.load("s1");
        SessionData second = nodeB.load("s1");
        first.setAttribute("a", "from A");
        second.setAttribute("b", "from B");

        nodeA.store("s1", first);
        nodeB.store("s1", second);

        assertThat(nodeA.load("s1").getAllAttributes())
                .containsEntry("a", "from A")
                .containsEntry("b", "from B")
                .containsEntry("x", "original");
        assertThat(nodeA.getStatistics().getMergedWrites()
                        + nodeB.getStatistics().getMergedWrites())
                .isEqualTo(1);
    }

    @Test
    void sameAttributeSetConcurrentlyTakesTheLaterCommitWhole() throws Exception {
        SessionData first = nodeA.load("s1");
        SessionData second = nodeB.load("s1");
        first.setAttribute("x", new ArrayList<>(List.of("A1", "A2", "A3")));
        second.setAttribute("x", new ArrayList<>(List.of("B1")));

        nodeB.store("s1", second);
        nodeA.store("s1", first);

        assertThat(nodeB.load("s1").getAttribute("x")).isEqualTo(List.of("A1", "A2", "A3"));
    }

    @Test
    void removalIsAChangeAndDoesNotLoseAConcurrentSet() throws Exception {
        SessionData remover = nodeA.load("s1");
        SessionData setter = nodeB.load("s1");
        remover.setAttribute("x", null); // how Jetty removes an attribute
        setter.setAttribute("y", "set by B");

        nodeB.store("s1", setter);
        nodeA.store("s1", remover);

        Map<String, Object> after = nodeB.load("s1").getAllAttributes();
        assertThat(after).doesNotContainKey("x").containsEntry("y", "set by B");

        // And the other way round: the set lands after the removal.
        SessionData remover2 = nodeA.load("s1");
        SessionData setter2 = nodeB.load("s1");
        remover2.setAttribute("y", null);
        setter2.setAttribute("z", "set by B");
        nodeA.store("s1", remover2);
        nodeB.store("s1", setter2);
        assertThat(nodeB.load("s1").getAllAttributes()).doesNotContainKey("y").containsEntry("z", "set by B");
    }

    @Test
    void invalidationWinsOverAConcurrentSet() throws Exception {
        SessionData setter = nodeA.load("s1");
        setter.setAttribute("late", "write");

        assertThat(nodeB.delete("s1")).isTrue();
        nodeA.store("s1", setter);

        assertThat(nodeA.load("s1")).isNull();
        assertThat(nodeA.getStatistics().getStoresOfDeletedSessions()).isEqualTo(1);
    }

    @Test
    void aSlowRequestsOlderAccessNeverMovesTheExpiryBack() throws Exception {
        SessionData slow = nodeA.load("s1");
        SessionData quick = nodeB.load("s1");
        touch(slow, now + 1_000);
        touch(quick, now + 60_000);
        quick.setLastNode(OTHER_NODE);
        nodeB.store("s1", quick);

        slow.setAttribute("slow", "done");
        nodeA.store("s1", slow);

        SessionData after = nodeA.load("s1");
        assertThat(after.getAccessed()).isEqualTo(now + 60_000);
        assertThat(after.getExpiry()).isEqualTo(quick.getExpiry());
        assertThat(after.getLastNode()).isEqualTo(OTHER_NODE);
        assertThat(after.getAttribute("slow")).isEqualTo("done");

        // A metadata-only store of the older access changes nothing either.
        SessionData older = nodeA.load("s1");
        touch(older, now + 2_000);
        nodeA.store("s1", older);
        assertThat(nodeA.load("s1").getExpiry()).isEqualTo(quick.getExpiry());
    }

    @Test
    void attributeChangedInPlaceIsSavedAndMergedWithAConcurrentChange() throws Exception {
        SessionData mutator = nodeA.load("s1");
        SessionData setter = nodeB.load("s1");
        @SuppressWarnings("unchecked")
        List<String> cart = (List<String>) mutator.getAttribute("cart");
        cart.add("pen"); // in place: no setAttribute, so Jetty marks nothing dirty
        assertThat(mutator.isDirty()).isFalse();
        setter.setAttribute("coupon", "SPRING");
        touch(mutator, now + 1_000);

        nodeB.store("s1", setter);
        nodeA.store("s1", mutator);

        SessionData after = nodeB.load("s1");
        assertThat(after.getAttribute("cart")).isEqualTo(List.of("book", "pen"));
        assertThat(after.getAttribute("coupon")).isEqualTo("SPRING");
    }

    @Test
    void withoutTheComparisonAnInPlaceChangeIsNotSavedButSetAttributeStillIs() throws Exception {
        SessionTableDataStore trusting =
                fixture.store(NODE, "/trusting", SessionContext.NULL_VHOST, s -> s.setSaveInPlaceChanges(false));
        SessionData s = session(trusting, "t1", now + HOUR, NODE);
        s.setAttribute("cart", new ArrayList<>(List.of("book")));
        put(trusting, s);

        SessionData loaded = trusting.load("t1");
        @SuppressWarnings("unchecked")
        List<String> cart = (List<String>) loaded.getAttribute("cart");
        cart.add("pen");
        touch(loaded, now + 1_000);
        trusting.store("t1", loaded);
        assertThat(trusting.load("t1").getAttribute("cart")).isEqualTo(List.of("book"));

        loaded.setAttribute("cart", cart);
        trusting.store("t1", loaded);
        assertThat(trusting.load("t1").getAttribute("cart")).isEqualTo(List.of("book", "pen"));
    }

    /**
     * The store keeps no bytes of the attributes it loaded: without the comparison, an attribute not set is taken
     * from the row when another is written, so its in-place change is still not saved, and that is no merge.
     */
    @Test
    void withoutTheComparisonAWriteOfAnotherAttributeTakesTheUnsetOneFromTheRow() throws Exception {
        SessionTableDataStore trusting =
                fixture.store(NODE, "/trusting", SessionContext.NULL_VHOST, s -> s.setSaveInPlaceChanges(false));
        SessionData s = session(trusting, "t1", now + HOUR, NODE);
        s.setAttribute("cart", new ArrayList<>(List.of("book")));
        put(trusting, s);

        SessionData loaded = trusting.load("t1");
        @SuppressWarnings("unchecked")
        List<String> cart = (List<String>) loaded.getAttribute("cart");
        cart.add("pen");
        loaded.setAttribute("user", "alice");
        trusting.store("t1", loaded);
        loaded.setAttribute("user", "bob");
        trusting.store("t1", loaded);

        SessionData row = trusting.load("t1");
        assertThat(row.getAttribute("cart")).isEqualTo(List.of("book"));
        assertThat(row.getAttribute("user")).isEqualTo("bob");
        assertThat(trusting.getStatistics().getMergedWrites()).isZero();
    }

    @Test
    void dataKeptInACacheAfterAMergeMergesAgainRatherThanDroppingTheOtherChange() throws Exception {
        // One node's session cache keeps its SessionData across requests; another node writes meanwhile.
        SessionData cached = nodeA.load("s1");
        SessionData other = nodeB.load("s1");
        other.setAttribute("b", "from B");
        nodeB.store("s1", other);
        cached.setAttribute("a", "first");
        nodeA.store("s1", cached);

        cached.setAttribute("a", "second");
        nodeA.store("s1", cached);

        assertThat(nodeB.load("s1").getAllAttributes())
                .containsEntry("a", "second")
                .containsEntry("b", "from B");
    }

    @Test
    void writeWithoutConflictIsOneStatementThatMovesTheVersionOn() throws Exception {
        long first = version();
        SessionData loaded = nodeA.load("s1");
        loaded.setAttribute("a", "1");
        nodeA.store("s1", loaded);
        loaded.setAttribute("a", "2");
        nodeA.store("s1", loaded);

        assertThat(version()).isEqualTo(first + 2);
        assertThat(nodeA.getStatistics().getMergedWrites()).isZero();
        assertThat(nodeA.load("s1").getAttribute("a")).isEqualTo("2");
    }

    @Test
    void timeoutSetOnPurposeSurvivesAConcurrentMoreRecentAccess() throws Exception {
        SessionData login = nodeA.load("s1");
        SessionData other = nodeB.load("s1");
        // The login request raises the timeout to eight hours; another request, accessed later, commits first.
        login.setMaxInactiveMs(8 * HOUR);
        touch(login, now + 1_000);
        touch(other, now + 5_000);
        nodeB.store("s1", other);

        login.setAttribute("user", "logged-in");
        nodeA.store("s1", login);

        SessionData after = nodeA.load("s1");
        assertThat(after.getMaxInactiveMs()).isEqualTo(8 * HOUR);
        assertThat(after.getExpiry()).isEqualTo(now + 1_000 + 8 * HOUR);
        assertThat(after.getAccessed()).as("the later access is kept").isEqualTo(now + 5_000);
    }

    @Test
    void attributeThatOnlySerializesDifferentlyDoesNotUndoAConcurrentRemoval() throws Exception {
        SessionData withNonce = nodeA.load("s1");
        withNonce.setAttribute("token", new SerializesDifferently());
        nodeA.store("s1", withNonce);
        SessionData remover = nodeA.load("s1");
        SessionData reader = nodeB.load("s1");

        remover.setAttribute("token", null);
        nodeA.store("s1", remover);
        // This request only read the session; its token serializes to other bytes than it loaded, with no change.
        touch(reader, now + 5_000);
        reader.setAttribute("seen", "yes");
        nodeB.store("s1", reader);

        assertThat(nodeA.load("s1").getAllAttributes())
                .doesNotContainKey("token")
                .containsEntry("seen", "yes");
    }

    /** Writes a fresh nonce every time it is serialized, as objects with caches or random salts do. */
    static final class SerializesDifferently implements java.io.Serializable {
        private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
            out.defaultWriteObject();
            out.writeLong(System.nanoTime());
        }

        private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            in.defaultReadObject();
            in.readLong();
        }
    }

    @Test
    void staleCopyOfADeletedSessionNeverWritesIntoANewSessionWithTheSameId() throws Exception {
        // B holds alice's session; it is ended on A, and a new session (bob's) is created under the same id.
        SessionData stale = nodeB.load("s1");
        assertThat(nodeA.delete("s1")).isTrue();
        SessionData bob = nodeA.newSessionData("s1", now + 1, now + 1, now + 1, HOUR);
        bob.setAttribute("user", "bob");
        put(nodeA, bob);

        stale.setAttribute("note", "written by alice's old request");
        touch(stale, now + 10_000);
        nodeB.store("s1", stale);

        SessionData after = nodeA.load("s1");
        assertThat(after.getAllAttributes()).containsOnlyKeys("user").containsEntry("user", "bob");
        assertThat(after.getAccessed())
                .as("the old session's access is not bob's")
                .isEqualTo(now + 1);
        assertThat(nodeB.getStatistics().getStoresOfDeletedSessions()).isEqualTo(1);
    }

    @Test
    void staleMetadataOnlyWriteNeverTouchesANewSessionWithTheSameId() throws Exception {
        SessionData stale = nodeB.load("s1");
        assertThat(nodeA.delete("s1")).isTrue();
        SessionData bob = nodeA.newSessionData("s1", now + 1, now + 1, now + 1, HOUR);
        bob.setAttribute("user", "bob");
        put(nodeA, bob);

        touch(stale, now + 10_000);
        nodeB.store("s1", stale);

        assertThat(nodeA.load("s1").getAccessed()).isEqualTo(now + 1);
        assertThat(nodeB.getStatistics().getStoresOfDeletedSessions()).isEqualTo(1);
    }

    @Test
    void recreatedRowStartsAtAVersionTheOldRowNeverHeld() throws Exception {
        long oldVersion = version();
        assertThat(nodeA.delete("s1")).isTrue();
        SessionData again = session(nodeA, "s1", now + HOUR, NODE);
        put(nodeA, again);

        assertThat(version()).isNotEqualTo(oldVersion).isNotZero();
    }

    @Test
    void timeoutSetOnPurposeSurvivesALaterStoreOfAMoreRecentAccess() throws Exception {
        SessionData login = nodeA.load("s1");
        SessionData slow = nodeB.load("s1");
        // The login request raises the timeout and commits first; a slower request, accessed later, stores after.
        login.setMaxInactiveMs(8 * HOUR);
        touch(login, now + 1_000);
        login.setAttribute("user", "logged-in");
        nodeA.store("s1", login);
        touch(slow, now + 5_000);
        slow.setAttribute("seen", "yes");
        nodeB.store("s1", slow);

        SessionData after = nodeA.load("s1");
        assertThat(after.getMaxInactiveMs()).isEqualTo(8 * HOUR);
        assertThat(after.getExpiry())
                .as("the later access, under the timeout set on purpose")
                .isEqualTo(now + 5_000 + 8 * HOUR);
        assertThat(after.getAllAttributes()).containsEntry("user", "logged-in").containsEntry("seen", "yes");
    }

    @Test
    void timeoutSetOnPurposeSurvivesALaterMetadataOnlyStore() throws Exception {
        SessionData login = nodeA.load("s1");
        SessionData slow = nodeB.load("s1");
        login.setMaxInactiveMs(8 * HOUR);
        touch(login, now + 1_000);
        nodeA.store("s1", login);
        touch(slow, now + 5_000);
        nodeB.store("s1", slow);

        SessionData after = nodeA.load("s1");
        assertThat(after.getMaxInactiveMs()).isEqualTo(8 * HOUR);
        assertThat(after.getExpiry()).isEqualTo(now + 5_000 + 8 * HOUR);
    }

    @Test
    void aTimeoutIsForcedOnlyByTheStoreThatChangedIt() throws Exception {
        SessionData first = nodeA.load("s1");
        first.setMaxInactiveMs(8 * HOUR);
        touch(first, now + 1_000);
        nodeA.store("s1", first);
        // Another node sets a timeout of its own on purpose, later.
        SessionData other = nodeB.load("s1");
        other.setMaxInactiveMs(2 * HOUR);
        touch(other, now + 2_000);
        nodeB.store("s1", other);
        // The first node's copy only sees an access now: its store must not force its old timeout again.
        touch(first, now + 3_000);
        nodeA.store("s1", first);

        SessionData after = nodeB.load("s1");
        assertThat(after.getMaxInactiveMs()).isEqualTo(2 * HOUR);
        assertThat(after.getExpiry()).isEqualTo(now + 3_000 + 2 * HOUR);
    }

    @Test
    void aNewSessionIsNeverWrittenOverAnotherLiveSessionsRow() throws Exception {
        // As when a request that could not read its session (an outage) goes on to create one under the same id.
        SessionData intruder = session(nodeB, "s1", now + HOUR, OTHER_NODE);
        intruder.setCreated(now + 5);
        intruder.setAttribute("user", "nobody");

        assertThatThrownBy(() -> put(nodeB, intruder)).hasStackTraceContaining("belongs to another live session");

        assertThat(nodeA.load("s1").getAllAttributes())
                .containsEntry("x", "original")
                .containsEntry("user", "alice");
    }

    @Test
    void aNewSessionReplacesAnExpiredRowAndItsOwnEarlierWrite() throws Exception {
        SessionData expired = session(nodeA, "s3", 1, NODE);
        put(nodeA, expired);
        SessionData fresh = session(nodeB, "s3", now + HOUR, OTHER_NODE);
        fresh.setAttribute("user", "bob");
        put(nodeB, fresh);
        put(nodeB, fresh); // a retry of the same first write

        assertThat(nodeA.load("s3").getAttribute("user")).isEqualTo("bob");
        assertThat(nodeB.cachedCopies().check(fresh)).isEqualTo(CachedSessionCheck.CURRENT);
        assertThat(nodeA.cachedCopies().check(expired)).isEqualTo(CachedSessionCheck.ATTRIBUTES_CHANGED);
    }

    @Test
    void dataWithNoRowBehindItWritesItsAttributesAsGiven() throws Exception {
        // Built with newSessionData and never loaded nor stored: nothing to merge against.
        SessionData built = nodeA.newSessionData("s1", StoreFixture.CREATED, now + 1_000, now, HOUR);
        built.putAllAttributes(Map.of("x", "from the built data", "csrf", "fresh"));
        built.setLastSaved(now);
        nodeA.doStore("s1", built, now);

        Map<String, Object> after = nodeB.load("s1").getAllAttributes();
        assertThat(after).containsEntry("x", "from the built data").containsEntry("csrf", "fresh");
    }

    @Test
    void cachedCopyTakesInAnAccessAndATimeoutFromAnotherNode() throws Exception {
        SessionData cached = nodeA.load("s1");
        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.CURRENT);
        SessionData other = nodeB.load("s1");
        other.setMaxInactiveMs(8 * HOUR);
        touch(other, now + 5_000);
        nodeB.store("s1", other);

        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.METADATA_TAKEN);
        assertThat(cached.getAccessed()).isEqualTo(now + 5_000);
        assertThat(cached.getMaxInactiveMs()).isEqualTo(8 * HOUR);
        assertThat(cached.getExpiry()).isEqualTo(now + 5_000 + 8 * HOUR);
        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.CURRENT);
        // Taken in, the timeout is not this copy's own change: its next store does not force it.
        touch(cached, now + 6_000);
        nodeA.store("s1", cached);
        assertThat(nodeB.load("s1").getMaxInactiveMs()).isEqualTo(8 * HOUR);
    }

    @Test
    void cachedCopyLearnsOfChangedAttributesAndOfADeletion() throws Exception {
        SessionData cached = nodeA.load("s1");
        SessionData other = nodeB.load("s1");
        other.setAttribute("b", "from B");
        nodeB.store("s1", other);
        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.ATTRIBUTES_CHANGED);

        assertThat(nodeB.delete("s1")).isTrue();
        assertThat(nodeA.cachedCopies().check(cached)).isEqualTo(CachedSessionCheck.GONE);
        assertThat(nodeA.getStatistics().getCacheChecks()).isEqualTo(2);
        assertThat(nodeA.getStatistics().getCacheReloads()).isEqualTo(1);
        assertThat(nodeA.getStatistics().getCacheDrops()).isEqualTo(1);
    }

    @Test
    void aCheckThatFindsTheAttributesChangedReadsTheRowForTheReloadThatFollows() throws Exception {
        SessionData cached = nodeA.load("s1");
        SessionData other = nodeB.load("s1");
        other.setAttribute("b", "first");
        nodeB.store("s1", other);
        assertThat(nodeA.cachedCopies().checkBeforeUse(cached)).isEqualTo(CachedSessionCheck.ATTRIBUTES_CHANGED);

        // Changed again after the check: the reload on this thread is the row the check read (no second read), and
        // only once; the load after it reads the row again.
        other.setAttribute("b", "second");
        nodeB.store("s1", other);
        assertThat(nodeA.load("s1").getAttribute("b")).isEqualTo("first");
        assertThat(nodeA.load("s1").getAttribute("b")).isEqualTo("second");
    }

    @Test
    void aRowACheckReadIsNeverHandedToAnotherSessionNorAfterTheLookUp() throws Exception {
        SessionData s2 = session(nodeA, "s2", now + HOUR, NODE);
        s2.setAttribute("x", "of s2");
        put(nodeA, s2);
        SessionData cached = nodeA.load("s1");
        SessionData other = nodeB.load("s1");
        other.setAttribute("b", "first");
        nodeB.store("s1", other);

        assertThat(nodeA.cachedCopies().checkBeforeUse(cached)).isEqualTo(CachedSessionCheck.ATTRIBUTES_CHANGED);
        assertThat(nodeA.load("s2").getAttribute("x")).isEqualTo("of s2");
        other.setAttribute("b", "second");
        nodeB.store("s1", other);
        assertThat(nodeA.load("s1").getAttribute("b")).isEqualTo("second");

        assertThat(nodeA.cachedCopies().checkBeforeUse(cached)).isEqualTo(CachedSessionCheck.ATTRIBUTES_CHANGED);
        nodeA.checkedRowUnused();
        other.setAttribute("b", "third");
        nodeB.store("s1", other);
        assertThat(nodeA.load("s1").getAttribute("b")).isEqualTo("third");
    }

    private long version() throws Exception {
        return ((Number) fixture.query("SELECT attributes_version FROM jetty_sessions WHERE session_id = 's1'")
                        .get(0)
                        .get(0))
                .longValue();
    }

    private static void touch(SessionData data, long accessed) {
        data.setLastAccessed(data.getAccessed());
        data.setAccessed(accessed);
        data.calcAndSetExpiry(accessed);
        data.setMetaDataDirty(true);
    }
}
