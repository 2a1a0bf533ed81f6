package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.support.NodeRequests.contextOf;
import static io.github.jettysqlite.sessions.support.NodeRequests.statistics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.AdditionalAnswers.delegatesTo;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;

import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import io.github.jettysqlite.sessions.internal.sqlite.SQLiteConnections;
import io.github.jettysqlite.sessions.support.NodeRequests;
import io.github.jettysqlite.sessions.support.TestServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.DefaultSessionCacheFactory;
import org.eclipse.jetty.session.NullSessionDataStoreFactory;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mockito.stubbing.Answer;

/**
 * Two real Jetty servers on one SQLite file, each with a {@link CoherentSessionCache}, answering Jetty's HttpClient:
 * what one node does to a session, the other's cached copy follows at its next request. The same steps with Jetty's
 * {@code DefaultSessionCache} show the stale copy this cache exists to prevent. (Two JVMs: {@code
 * SQLiteCoherentCacheNodesIT}; a change taken into a copy a request holds, on each engine: {@link
 * AbstractHeldSessionRefreshTest}.)
 */
class CoherentSessionCacheTest {
    @TempDir
    Path dir;

    private final HttpClient client = new HttpClient();
    private final NodeRequests requests = new NodeRequests(client);
    private Server nodeA;
    private Server nodeB;

    @BeforeEach
    void startClient() throws Exception {
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        TestServer.meanwhile = () -> {};
        SQLiteConnections.decorator = UnaryOperator.identity();
        NodeRequests.stopAll(client, nodeA, nodeB);
    }

    private void startNodes(Object cacheFactoryA, Object cacheFactoryB) throws Exception {
        nodeA = TestServer.start(dir.resolve("sessions.db"), 0, cacheFactoryA);
        nodeB = TestServer.start(dir.resolve("sessions.db"), 0, cacheFactoryB);
    }

    private void startCoherentNodes() throws Exception {
        startNodes(new CoherentSessionCacheFactory(), new CoherentSessionCacheFactory());
    }

    @Test
    void attributeSetOnOneNodeIsSeenAtTheOthersNextRequest() throws Exception {
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        assertThat(get(nodeA, "?get=user", id)).isEqualTo("alice");

        get(nodeB, "?set=user=bob", id);

        assertThat(get(nodeA, "?get=user", id)).isEqualTo("bob");
        assertThat(statistics(nodeA).getCacheReloads()).isEqualTo(1);
    }

    @Test
    void aSessionOnlyThisNodeChangesIsCheckedWithoutReadingItsRow() throws Exception {
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        for (int attempt = 1; ; attempt++) {
            // This check reads the row (a creation leaves the copy untrusted, and so does a trust run out) and trusts
            // the copy; the write that follows asks for a mark and carries that trust over.
            statistics(nodeA).reset();
            long rowReadFrom = System.nanoTime();
            get(nodeA, "?set=cart=book" + attempt, id);
            boolean trustIsFromThisRead = statistics(nodeA).getCacheChecks() == 1;
            statistics(nodeA).reset();

            assertThat(get(nodeA, "?get=cart", id)).isEqualTo("book" + attempt);

            if (trustIsFromThisRead
                    && TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rowReadFrom) < CachedCopyCheck.TRUST_MS) {
                assertThat(statistics(nodeA).getCacheChecksSignalled()).isEqualTo(1);
                assertThat(statistics(nodeA).getCacheChecks()).isZero();
                return;
            }
            // A pause longer than a copy's trust came in between (a loaded machine), or the first request used an
            // older trust: what the second check did then shows nothing. Try again.
            Assumptions.assumeTrue(attempt < 5, "five attempts each took longer than a copy's trust");
        }
    }

    @Test
    void logoutOnOneNodeEndsTheSessionOnTheOtherAtItsNextRequest() throws Exception {
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        assertThat(get(nodeA, "?get=user", id)).isEqualTo("alice");

        assertThat(get(nodeB, "?invalidate", id)).isEqualTo("invalidated");

        assertThat(get(nodeA, "?get=user", id))
                .as("the old cookie gets a new, empty session")
                .isEqualTo("null");
        assertThat(statistics(nodeA).getCacheDrops()).isEqualTo(1);
    }

    /**
     * Jetty's cache looks the session up before it deletes the row, and with this cache that look is a check against
     * the row. The logout must end the session on every node even when that check cannot read (a read failing while
     * writes succeed: a dropped pooled connection, a reader's timeout). Such a failure is injected around real
     * connections, into reads made for the check inside the cache's delete only.
     */
    @Test
    void aLogoutWhoseCheckCannotReadTheRowStillEndsTheSessionOnEveryNode() throws Exception {
        AtomicBoolean checksFail = new AtomicBoolean();
        SQLiteConnections.decorator = real -> failing(real, sql -> checkingFor("delete", checksFail));
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        assertThat(get(nodeB, "?get=user", id)).isEqualTo("alice");
        // Node B changes the session while node A's logout runs, so that node A's copy must be checked by a read.
        TestServer.meanwhile = nodeBChangesThenChecksFail(id, checksFail);

        assertThat(get(nodeA, "?invalidate", id)).isEqualTo("invalidated");
        TestServer.meanwhile = () -> {};

        assertThat(checksFail).as("the check's read was made, and failed").isFalse();
        assertThat(rows(id)).as("the row").isEmpty();
        assertThat(get(nodeB, "?get=user", id)).as("the other node").isEqualTo("null");
        assertThat(get(nodeA, "?get=user", id)).as("the node that ended it").isEqualTo("null");
    }

    /**
     * A logout whose row delete the database fails: the session ends on this node at once, listeners included, and its
     * row is deleted by a later attempt once the database takes it, so the other node does not serve it for good.
     * The failure is injected around real connections into every delete of a session row while it lasts (the writer
     * tries each failed write once more on its own).
     */
    @Test
    void aLogoutWhoseRowDeleteFailsEndsTheSessionHereAndDeletesTheRowOnceTheDatabaseTakesIt() throws Exception {
        AtomicBoolean deletesFail = new AtomicBoolean();
        SQLiteConnections.decorator =
                real -> failing(real, sql -> deletesFail.get() && sql.startsWith("DELETE FROM jetty_sessions WHERE"));
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        assertThat(get(nodeB, "?get=user", id)).isEqualTo("alice");

        deletesFail.set(true);
        assertThat(get(nodeA, "?invalidate", id)).isEqualTo("invalidated");

        assertThat(rows(id)).as("the row, whose delete failed").hasSize(1);
        assertThat(coherentCache(nodeA).getRowsStillToDelete()).isEqualTo(1);
        assertThat(get(nodeA, "?get=user", id)).as("the node that ended it").isEqualTo("null");

        deletesFail.set(false);
        Waiting.until("the row deleted by a later attempt", () -> rows(id).isEmpty());
        assertThat(get(nodeB, "?get=user", id)).as("the other node").isEqualTo("null");
        Waiting.until("nothing left to delete", () -> coherentCache(nodeA).getRowsStillToDelete() == 0);
    }

    /**
     * A delete tried again removes the session that was ended, never a new session given its id since (another node,
     * or another context on the same node, may hand out the id once the row is gone): the retry names the ended
     * session's creation time.
     */
    @Test
    void aDeleteTriedAgainLeavesANewSessionCreatedUnderTheIdSince() throws Exception {
        AtomicBoolean deletesFail = new AtomicBoolean();
        SQLiteConnections.decorator =
                real -> failing(real, sql -> deletesFail.get() && sql.startsWith("DELETE FROM jetty_sessions WHERE"));
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        long created;
        try (SQLiteFixture table = SQLiteFixture.in(dir)) {
            created = ((Number) table.query("SELECT created_ms FROM jetty_sessions WHERE session_id = ?", id)
                            .get(0)
                            .get(0))
                    .longValue();
        }
        deletesFail.set(true);
        assertThat(get(nodeA, "?invalidate", id)).isEqualTo("invalidated");
        assertThat(coherentCache(nodeA).getRowsStillToDelete()).isEqualTo(1);

        // The row goes another way meanwhile (as an expiry elsewhere would take it), and a new session takes the id.
        try (SQLiteFixture table = SQLiteFixture.in(dir)) {
            assertThat(table.update("DELETE FROM jetty_sessions WHERE session_id = ?", id))
                    .isEqualTo(1);
        }
        var storeB = (SessionTableDataStore)
                contextOf(nodeB).getSessionHandler().getSessionCache().getSessionDataStore();
        SessionData bob = storeB.newSessionData(id, created + 1, created + 1, created + 1, 1_800_000);
        bob.setAttribute("user", "bob");
        storeB.store(id, bob);
        deletesFail.set(false);

        Waiting.until("the delete tried again", () -> coherentCache(nodeA).getRowsStillToDelete() == 0);
        assertThat(rows(id)).as("the new session's row").hasSize(1);
    }

    @Test
    void endingASessionWhoseRowCannotBeDeletedSaysSo() throws Exception {
        AtomicBoolean deletesFail = new AtomicBoolean();
        SQLiteConnections.decorator =
                real -> failing(real, sql -> deletesFail.get() && sql.startsWith("DELETE FROM jetty_sessions WHERE"));
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        var store = (SessionTableDataStore)
                contextOf(nodeB).getSessionHandler().getSessionCache().getSessionDataStore();

        deletesFail.set(true);
        assertThatThrownBy(() -> store.endSession(id))
                .isInstanceOf(SessionDatabaseException.class)
                .hasMessageContaining("its row could not be deleted");
    }

    @Test
    void aRenewedIdCarriesTheSessionToEveryNodeAndTheOldIdEnds() throws Exception {
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        assertThat(get(nodeB, "?get=user", id)).isEqualTo("alice");

        String renewed = get(nodeA, "?renew", id);

        assertThat(renewed).isNotEqualTo(id).isNotBlank();
        assertThat(get(nodeB, "?get=user", renewed)).isEqualTo("alice");
        assertThat(get(nodeA, "?get=user", renewed)).isEqualTo("alice");
        assertThat(rows(id)).as("the old id's row").isEmpty();
        assertThat(get(nodeB, "?get=user", id))
                .as("the old id on the other node")
                .isEqualTo("null");
    }

    /**
     * The user logs out on node B while a request of theirs on node A, which set something, is still running: its
     * change goes with the ended session, and it is answered 503, not 200 as if the change were kept (on one node, a
     * request setting an attribute of a session invalidated meanwhile fails too). The session stays ended.
     */
    @Test
    void aChangeToASessionLoggedOutElsewhereMeanwhileIsRefused() throws Exception {
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        TestServer.prepareHold();
        CompletableFuture<ContentResponse> running =
                new CompletableResponseListener(requests.request(nodeA, "?set=cart=pen&hold", id)).send();
        try {
            assertThat(TestServer.awaitHeld(running::isDone))
                    .as("the request held")
                    .isTrue();
            assertThat(get(nodeB, "?invalidate", id)).isEqualTo("invalidated");
        } finally {
            TestServer.releaseHeld();
        }
        ContentResponse change = running.get(60, TimeUnit.SECONDS);

        assertThat(change.getStatus()).as(change.getContentAsString()).isEqualTo(503);
        assertThat(statistics(nodeA).getEndedSessionChangesRefused()).isEqualTo(1);
        assertThat(rows(id)).as("the ended session's row").isEmpty();
        assertThat(get(nodeA, "?get=user", id)).as("node A").isEqualTo("null");
        assertThat(get(nodeB, "?get=user", id)).as("node B").isEqualTo("null");
    }

    /**
     * A session whose save found its row deleted elsewhere is never put back in the map: Jetty's release puts the
     * session it just saved back (to make sure it is cached), before this cache drops it, and a request looking it up
     * in between would be handed the ended session without a check.
     */
    @Test
    void aSessionFoundDeletedElsewhereIsNeverPutBackInTheMap() throws Exception {
        startCoherentNodes();
        CoherentSessionCache cache = coherentCache(nodeA);
        var store = (SessionTableDataStore) cache.getSessionDataStore();
        long now = System.currentTimeMillis();
        var ended = (TrackedSessionData) store.newSessionData("ended-elsewhere", now, now, now, 1_800_000);
        ended.markDeletedElsewhere();
        var live = (TrackedSessionData) store.newSessionData("live", now, now, now, 1_800_000);

        cache.doPutIfAbsent("ended-elsewhere", cache.newSession(ended));
        cache.doPutIfAbsent("live", cache.newSession(live));

        assertThat(cache.doGet("ended-elsewhere")).as("the ended session").isNull();
        assertThat(cache.doGet("live")).as("a live session").isNotNull();
        // Never entered by a request: out again before Jetty's shutdown would save it.
        cache.doDelete("live");
    }

    /**
     * The user logs out on another node while a request of theirs on node A, its session already checked, renews the
     * id (a login or a step-up): the session under the new id must not outlive the logout. Written whole under the new id
     * before the old row is deleted, it was: the old row was gone, and the user stayed logged in under the new cookie.
     */
    @Test
    void aRenewalRacingALogoutElsewhereLeavesNoSessionUnderTheNewId() throws Exception {
        AtomicBoolean loggedOut = new AtomicBoolean();
        String[] user = new String[1];
        // The logout runs as node A's renewal writes the new row: after every check node A makes of the old one.
        SQLiteConnections.decorator = real -> failing(real, sql -> {
            if (sql.startsWith("INSERT INTO jetty_sessions")
                    && inside("renewSessionId")
                    && loggedOut.compareAndSet(false, true)) {
                // As another process would (node B here shares node A's writer, which waits for this statement).
                try (SQLiteFixture table = SQLiteFixture.in(dir)) {
                    assertThat(table.update("DELETE FROM jetty_sessions WHERE session_id = ?", user[0]))
                            .isEqualTo(1);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return false;
        });
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        user[0] = id;

        ContentResponse renewal = requests.request(nodeA, "?renew", id).send();

        assertThat(loggedOut).as("the logout on node B ran during the renewal").isTrue();
        try (SQLiteFixture table = SQLiteFixture.in(dir)) {
            assertThat(table.query("SELECT session_id FROM jetty_sessions"))
                    .as("rows left")
                    .isEmpty();
        }
        assertThat(renewal.getStatus()).as(renewal.getContentAsString()).isEqualTo(503);
        assertThat(statistics(nodeA).getEndedSessionChangesRefused()).isEqualTo(1);
        assertThat(renewal.getHeaders().getValuesList(HttpHeader.SET_COOKIE))
                .as("no cookie for the new id")
                .isEmpty();
        assertThat(get(nodeA, "?get=user", id)).as("the old id on node A").isEqualTo("null");
    }

    /**
     * A renewal whose row under the new id the database refuses is answered 503 without the new cookie; the session
     * under the old id, the user's cookie, is still there. Jetty's cache deletes the old row first, and the user's
     * session was gone.
     */
    @Test
    void aRenewalWhoseNewRowIsRefusedKeepsTheSessionUnderTheOldId() throws Exception {
        AtomicBoolean insertsFail = new AtomicBoolean();
        SQLiteConnections.decorator =
                real -> failing(real, sql -> insertsFail.get() && sql.startsWith("INSERT INTO jetty_sessions"));
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);

        insertsFail.set(true);
        ContentResponse refused = requests.request(nodeA, "?renew", id).send();
        insertsFail.set(false);

        assertThat(refused.getStatus()).isEqualTo(503);
        assertThat(refused.getHeaders().getValuesList(HttpHeader.SET_COOKIE))
                .as("no new cookie")
                .isEmpty();
        assertThat(get(nodeA, "?get=user", id)).isEqualTo("alice");
        assertThat(get(nodeB, "?get=user", id)).isEqualTo("alice");
    }

    /**
     * A renewal whose check of the cached copy cannot read fails (Jetty logs it), but Jetty gives the session object
     * its new id all the same, and the request goes on to log the user in on it. That object must never be served
     * under the old id, which an attacker may have planted: the old id gets the session as its row holds it. The
     * request is refused (503, no cookie), so the user keeps that session rather than get a cookie for an id with no
     * row.
     */
    @Test
    void aRenewalWhoseCheckCannotReadNeverServesTheLoggedInSessionUnderTheOldId() throws Exception {
        AtomicBoolean checksFail = new AtomicBoolean();
        SQLiteConnections.decorator = real -> failing(real, sql -> checkingFor("renewSessionId", checksFail));
        startCoherentNodes();
        String id = get(nodeA, "?set=cart=book", null);
        // Node B changes the session while node A's login runs, so that node A's copy must be checked by a read.
        TestServer.meanwhile = nodeBChangesThenChecksFail(id, checksFail);

        ContentResponse login =
                requests.request(nodeA, "?renew&set=user=alice", id).send();
        TestServer.meanwhile = () -> {};

        assertThat(checksFail).as("the check's read was made, and failed").isFalse();
        assertThat(login.getStatus())
                .as("refused, rather than a cookie for an id with no session")
                .isEqualTo(503);
        assertThat(login.getHeaders().getValuesList(HttpHeader.SET_COOKIE)).isEmpty();
        assertThat(get(nodeA, "?get=user", id))
                .as("the old id on the node that renewed it")
                .isEqualTo("null");
        assertThat(get(nodeB, "?get=user", id))
                .as("the old id on the other node")
                .isEqualTo("null");
        assertThat(get(nodeA, "?get=cart", id))
                .as("the session kept under the old id")
                .isEqualTo("book");
    }

    /**
     * With refusals off, a renewal whose write under the new id fails goes on under the new id (as Jetty's would), and
     * the request's own save writes the session whole: the session the renewal entered must be released for that
     * save to happen at all.
     */
    @Test
    void aRenewalWhoseNewRowFailsWithRefusalsOffIsWrittenByTheRequestsOwnSave() throws Exception {
        AtomicBoolean injected = new AtomicBoolean();
        SQLiteConnections.decorator = real -> failing(real, sql -> {
            boolean fails = sql.startsWith("INSERT INTO jetty_sessions") && inside("renewSessionId");
            injected.compareAndSet(false, fails);
            return fails;
        });
        SQLiteSessionDataStoreFactory noRefusals = new SQLiteSessionDataStoreFactory(dir.resolve("sessions.db"));
        noRefusals.getSettings().setRefuseFailedSaves(false);
        nodeA = TestServer.startWithStore(0, noRefusals, new CoherentSessionCacheFactory());
        nodeB = TestServer.start(dir.resolve("sessions.db"), 0, new CoherentSessionCacheFactory());
        String id = get(nodeA, "?set=cart=book", null);

        String renewed = get(nodeA, "?renew&set=user=alice", id);

        assertThat(injected).as("the renewal's write failed").isTrue();
        assertThat(renewed).isNotEqualTo(id);
        assertThat(get(nodeB, "?get=user", renewed)).isEqualTo("alice");
        assertThat(get(nodeB, "?get=cart", renewed)).isEqualTo("book");
        assertThat(rows(id)).as("the old id's row").isEmpty();
    }

    /**
     * A renewal whose delete of the old id's row the database fails goes on under the new id; the old id serves
     * nothing on this node, and its row is deleted once the database takes it, so no node serves it for good.
     */
    @Test
    void aRenewalWhoseOldRowCannotBeDeletedEndsTheOldIdOnceTheDatabaseTakesIt() throws Exception {
        AtomicBoolean deletesFail = new AtomicBoolean();
        SQLiteConnections.decorator =
                real -> failing(real, sql -> deletesFail.get() && sql.startsWith("DELETE FROM jetty_sessions WHERE"));
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);

        deletesFail.set(true);
        String renewed = get(nodeA, "?renew", id);

        assertThat(rows(id)).as("the old id's row, whose delete failed").hasSize(1);
        assertThat(get(nodeA, "?get=user", renewed)).isEqualTo("alice");
        assertThat(get(nodeA, "?get=user", id))
                .as("the old id on the node that renewed it")
                .isEqualTo("null");
        deletesFail.set(false);
        Waiting.until("the old id's row deleted by a later attempt", () -> rows(id).isEmpty());
        assertThat(get(nodeB, "?get=user", id))
                .as("the old id on the other node")
                .isEqualTo("null");
        assertThat(get(nodeB, "?get=user", renewed)).isEqualTo("alice");
    }

    /**
     * Node B changes the session (so that node A's copy, whose check follows, must be read), and then node A's next
     * check fails.
     */
    private Runnable nodeBChangesThenChecksFail(String id, AtomicBoolean checksFail) {
        return () -> {
            try {
                get(nodeB, "?set=theme=dark", id);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            checksFail.set(true);
        };
    }

    /** True, once after {@code fail} is set, for a statement run by a cache's check inside the cache's {@code call}. */
    private static boolean checkingFor(String call, AtomicBoolean fail) {
        return inside(call) && inside("checkAgainstRow") && fail.compareAndSet(true, false);
    }

    /** True when this thread runs inside a method of that name. */
    private static boolean inside(String method) {
        return StackWalker.getInstance()
                .walk(frames -> frames.anyMatch(frame -> frame.getMethodName().equals(method)));
    }

    /** The connection, whose statements fail while {@code failsNow} says so of their SQL as they run. */
    private static Connection failing(Connection real, Predicate<String> failsNow) {
        Connection connection = mock(Connection.class, delegatesTo(real));
        try {
            doAnswer(call -> {
                        String sql = call.getArgument(0);
                        PreparedStatement statement = real.prepareStatement(sql);
                        PreparedStatement faulty = mock(PreparedStatement.class, delegatesTo(statement));
                        Answer<Object> failOrRun = run -> {
                            if (failsNow.test(sql)) {
                                throw new SQLException("injected: this statement failed");
                            }
                            return run.getMethod().invoke(statement, run.getArguments());
                        };
                        doAnswer(failOrRun).when(faulty).executeQuery();
                        doAnswer(failOrRun).when(faulty).execute();
                        doAnswer(failOrRun).when(faulty).executeUpdate();
                        return faulty;
                    })
                    .when(connection)
                    .prepareStatement(anyString());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return connection;
    }

    private java.util.List<java.util.List<Object>> rows(String id) throws Exception {
        try (SQLiteFixture table = SQLiteFixture.in(dir)) {
            return table.query("SELECT session_id FROM jetty_sessions WHERE session_id = ?", id);
        }
    }

    private static CoherentSessionCache coherentCache(Server node) {
        return (CoherentSessionCache) contextOf(node).getSessionHandler().getSessionCache();
    }

    @Test
    void withJettysDefaultCacheTheOtherNodeKeepsServingTheEndedSession() throws Exception {
        startNodes(new DefaultSessionCacheFactory(), new DefaultSessionCacheFactory());
        String id = get(nodeA, "?set=user=alice", null);
        assertThat(get(nodeA, "?get=user", id)).isEqualTo("alice");

        assertThat(get(nodeB, "?invalidate", id)).isEqualTo("invalidated");

        assertThat(get(nodeA, "?get=user", id))
                .as("Jetty's behaviour, documented in README")
                .isEqualTo("alice");
    }

    @Test
    void timeoutSetOnOneNodeIsTakenInAndNeverUndoneByTheOther() throws Exception {
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        get(nodeA, "?get=user", id);

        get(nodeB, "?ttl=28800", id);
        get(nodeA, "?get=user", id);
        get(nodeA, "?set=cart=book", id);

        try (SQLiteFixture table = SQLiteFixture.in(dir)) {
            assertThat(table.query("SELECT max_inactive_ms FROM jetty_sessions WHERE session_id = ?", id))
                    .singleElement()
                    .isEqualTo(java.util.List.of(28_800_000));
        }
        assertThat(statistics(nodeA).getCacheMetadataTaken()).isPositive();
    }

    @Test
    void aStoreThatFindsTheRowGoneDropsTheCachedCopy() throws Exception {
        startCoherentNodes();
        String id = get(nodeA, "?set=user=alice", null);
        var cache = contextOf(nodeA).getSessionHandler().getSessionCache();

        // The row goes after this request's check, while it holds the session; its save then finds it gone, and the
        // change it set went with the session.
        assertThat(requests.request(nodeA, "?vanish&set=cart=book", id).send().getStatus())
                .isEqualTo(503);
        Waiting.until("the cached copy dropped", () -> !cached(cache, id));

        assertThat(statistics(nodeA).getStoresOfDeletedSessions()).isPositive();
        assertThat(get(nodeA, "?get=user", id)).isEqualTo("null");
    }

    @Test
    void refusesToStartOverAStoreThatIsNotASessionTable() {
        assertThatThrownBy(() -> TestServer.startWithStore(
                        0, new NullSessionDataStoreFactory(), new CoherentSessionCacheFactory()))
                .hasStackTraceContaining("CoherentSessionCache checks cached sessions against a jetty-sqlite-sessions");
    }

    private static boolean cached(org.eclipse.jetty.session.SessionCache cache, String id) {
        try {
            return cache.contains(id);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String get(Server node, String query, String sessionId) throws Exception {
        return requests.get(node, query, sessionId);
    }
}
