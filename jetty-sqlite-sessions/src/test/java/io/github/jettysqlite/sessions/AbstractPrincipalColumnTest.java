package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.OTHER_NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.admin.SessionSummary;
import java.io.Serializable;
import java.nio.file.Path;
import java.security.Principal;
import java.util.List;
import javax.security.auth.Subject;
import org.eclipse.jetty.security.UserIdentity;
import org.eclipse.jetty.security.authentication.SessionAuthentication;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each row records who its session is logged in as, read from the attributes when it is stored; a user's sessions
 * are found and ended through it. Two nodes of one database, so that a copy another node changed meanwhile is in
 * play.
 */
abstract class AbstractPrincipalColumnTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private StoreFixture fixture;
    private SessionTableDataStore nodeA;
    private SessionTableDataStore nodeB;
    private long now;

    abstract StoreFixture newFixture(Path dir) throws Exception;

    @BeforeEach
    void start() throws Exception {
        fixture = newFixture(dir);
        nodeA = fixture.store(NODE, "/app", SessionContext.NULL_VHOST, s -> s.setPrincipalAttribute("appUser"));
        nodeB = fixture.store(OTHER_NODE, "/app", SessionContext.NULL_VHOST, s -> s.setPrincipalAttribute("appUser"));
        now = System.currentTimeMillis();
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void jettysAuthenticatedSessionNamesTheUser() throws Exception {
        SessionData s = session(nodeA, "s1", now + HOUR, NODE);
        s.setAttribute(SessionAuthentication.AUTHENTICATED_ATTRIBUTE, jettyLogin("alice"));
        put(nodeA, s);

        assertThat(principalOf("s1")).isEqualTo("alice");
    }

    @Test
    void springSecuritysContextNamesTheUser() throws Exception {
        SessionData s = session(nodeA, "s1", now + HOUR, NODE);
        s.setAttribute("SPRING_SECURITY_CONTEXT", new ContextShapedLikeSprings(new NamedUser("bob")));
        put(nodeA, s);

        assertThat(principalOf("s1")).isEqualTo("bob");
    }

    @Test
    void theNamedAttributeNamesTheUserAndTheExplicitOneWins() throws Exception {
        SessionData s = session(nodeA, "s1", now + HOUR, NODE);
        s.setAttribute("appUser", new NamedUser("carol"));
        put(nodeA, s);
        assertThat(principalOf("s1")).isEqualTo("carol");

        SessionData loaded = nodeA.load("s1");
        loaded.setAttribute(UserSessions.PRINCIPAL_ATTRIBUTE, "carol@example.org");
        nodeA.store("s1", loaded);
        assertThat(principalOf("s1")).isEqualTo("carol@example.org");
    }

    @Test
    void loginAndLogoutMoveTheColumn() throws Exception {
        put(nodeA, session(nodeA, "s1", now + HOUR, NODE));
        assertThat(principalOf("s1")).isNull();

        SessionData login = nodeA.load("s1");
        login.setAttribute(SessionAuthentication.AUTHENTICATED_ATTRIBUTE, jettyLogin("alice"));
        nodeA.store("s1", login);
        assertThat(principalOf("s1")).isEqualTo("alice");

        SessionData switchUser = nodeA.load("s1");
        switchUser.setAttribute(SessionAuthentication.AUTHENTICATED_ATTRIBUTE, jettyLogin("admin"));
        nodeA.store("s1", switchUser);
        assertThat(principalOf("s1")).isEqualTo("admin");

        SessionData logout = nodeA.load("s1");
        logout.setAttribute(SessionAuthentication.AUTHENTICATED_ATTRIBUTE, null);
        nodeA.store("s1", logout);
        assertThat(principalOf("s1")).isNull();
    }

    @Test
    void anOldCopyNeverLogsBackInAUserAnotherNodeLoggedOut() throws Exception {
        SessionData s = session(nodeA, "s1", now + HOUR, NODE);
        s.setAttribute(UserSessions.PRINCIPAL_ATTRIBUTE, "alice");
        s.setAttribute("cart", "book");
        put(nodeA, s);
        SessionData stale = nodeA.load("s1");

        SessionData logout = nodeB.load("s1");
        logout.setAttribute(UserSessions.PRINCIPAL_ATTRIBUTE, null);
        nodeB.store("s1", logout);
        assertThat(principalOf("s1")).isNull();

        // The old copy is used: its metadata is stored, then a change to another attribute merges.
        stale.setAccessed(stale.getAccessed() + 1);
        nodeA.store("s1", stale);
        assertThat(principalOf("s1"))
                .as("after a metadata store of the old copy")
                .isNull();
        stale.setAttribute("cart", "two books");
        nodeA.store("s1", stale);
        assertThat(principalOf("s1"))
                .as("after a merge of the old copy's other change")
                .isNull();
        assertThat(nodeB.load("s1").getAttribute("cart")).isEqualTo("two books");
    }

    @Test
    void aMergeThatChangesTheUserWritesIt() throws Exception {
        SessionData s = session(nodeA, "s1", now + HOUR, NODE);
        s.setAttribute("cart", "book");
        put(nodeA, s);
        SessionData login = nodeA.load("s1");
        SessionData other = nodeB.load("s1");
        other.setAttribute("cart", "two books");
        nodeB.store("s1", other);

        login.setAttribute(UserSessions.PRINCIPAL_ATTRIBUTE, "alice");
        nodeA.store("s1", login);

        assertThat(principalOf("s1")).isEqualTo("alice");
        assertThat(nodeB.load("s1").getAttribute("cart")).isEqualTo("two books");
    }

    @Test
    void aUsersSessionsAreListedAndEndedAcrossContexts() throws Exception {
        SessionTableDataStore shop = loginsInTwoContexts();

        List<SessionSummary> alices = nodeA.admin().sessionsOf("alice");
        assertThat(alices).extracting(SessionSummary::id).containsExactlyInAnyOrder("a1", "a2", "a3");
        assertThat(alices).allSatisfy(summary -> assertThat(summary.principal()).isEqualTo("alice"));
        assertThat(nodeA.sessionsOf("alice"))
                .as("the store's own context only")
                .extracting(SessionSummary::id)
                .containsExactlyInAnyOrder("a1", "a2");

        SessionSummary keep =
                alices.stream().filter(x -> x.id().equals("a2")).findFirst().orElseThrow();
        assertThat(nodeA.admin().deleteSessionsOf("alice", keep)).isEqualTo(3);
        assertThat(nodeA.admin().sessionsOf("alice"))
                .extracting(SessionSummary::id)
                .containsExactly("a2");
        assertThat(nodeA.load("a1")).isNull();
        assertThat(shop.load("a3")).isNull();
        assertThat(nodeA.load("b1")).as("another user's session stays").isNotNull();

        assertThat(nodeA.admin().deleteSession("a2")).isEqualTo(1);
        assertThat(nodeA.admin().sessionsOf("alice")).isEmpty();
    }

    @Test
    void aContextsUsersAndOneSessionAreReadFromTheRows() throws Exception {
        SessionTableDataStore shop = loginsInTwoContexts();
        putLoggedIn(shop, "c1", "carol", now + HOUR);
        putLoggedIn(nodeA, "d1", "dave", now - HOUR);
        put(nodeA, session(nodeA, "anonymous", now + HOUR, NODE));

        assertThat(nodeB.principals()).as("this context's, unexpired").containsExactly("alice", "bob");
        assertThat(nodeA.admin().principals(null, null)).containsExactly("alice", "bob", "carol");

        SessionSummary a1 = nodeB.summaryOf("a1");
        assertThat(a1.principal()).isEqualTo("alice");
        assertThat(a1.lastNode()).isEqualTo(NODE);
        assertThat(nodeB.summaryOf("anonymous").principal()).isNull();
        assertThat(nodeB.summaryOf("a4")).as("expired").isNull();
        assertThat(nodeB.summaryOf("a3")).as("another context's").isNull();
        assertThat(nodeB.summaryOf("none")).isNull();
    }

    @Test
    void aNewSessionReplacingAnExpiredRowOfItsIdDoesNotInheritItsUser() throws Exception {
        SessionData old = session(nodeA, "s1", now - HOUR, NODE);
        old.setAttribute(UserSessions.PRINCIPAL_ATTRIBUTE, "alice");
        put(nodeA, old);
        assertThat(principalOf("s1")).isEqualTo("alice");

        // Another session given the same id (a later creation time) while the expired row is not yet swept.
        SessionData fresh = nodeA.newSessionData("s1", now, now, now, 60_000);
        fresh.setExpiry(now + HOUR);
        fresh.setAttribute("cart", "book");
        put(nodeA, fresh);

        assertThat(principalOf("s1")).as("the new session has no user yet").isNull();
        assertThat(nodeA.sessionsOf("alice")).isEmpty();
    }

    @Test
    void recordingCanBeSwitchedOff() throws Exception {
        SessionTableDataStore quiet =
                fixture.store(NODE, "/quiet", SessionContext.NULL_VHOST, s -> s.setRecordPrincipal(false));
        SessionData s = session(quiet, "q1", now + HOUR, NODE);
        s.setAttribute(UserSessions.PRINCIPAL_ATTRIBUTE, "alice");
        put(quiet, s);

        assertThat(fixture.query("SELECT principal FROM jetty_sessions WHERE session_id = 'q1'")
                        .get(0)
                        .get(0))
                .isNull();
    }

    /**
     * Alice's sessions a1 and a2 in /app, a3 in /shop and a4 expired in /app; Bob's b1 in /app. Returns /shop's
     * store.
     */
    private SessionTableDataStore loginsInTwoContexts() throws Exception {
        SessionTableDataStore shop = fixture.store(NODE, "/shop", SessionContext.NULL_VHOST);
        putLoggedIn(nodeA, "a1", "alice", now + HOUR);
        putLoggedIn(nodeA, "a2", "alice", now + HOUR);
        putLoggedIn(shop, "a3", "alice", now + HOUR);
        putLoggedIn(nodeA, "b1", "bob", now + HOUR);
        putLoggedIn(nodeA, "a4", "alice", now - HOUR);
        return shop;
    }

    /** Stores a session logged in as {@code user} by the explicit attribute. */
    private static void putLoggedIn(SessionTableDataStore store, String id, String user, long expiry) throws Exception {
        SessionData s = session(store, id, expiry, NODE);
        s.setAttribute(UserSessions.PRINCIPAL_ATTRIBUTE, user);
        put(store, s);
    }

    private String principalOf(String id) throws Exception {
        return (String) fixture.query("SELECT principal FROM jetty_sessions WHERE session_id = ?", id)
                .get(0)
                .get(0);
    }

    private static SessionAuthentication jettyLogin(String name) {
        Principal user = new NamedUser(name);
        Subject subject = new Subject();
        subject.getPrincipals().add(user);
        return new SessionAuthentication("FORM", UserIdentity.from(subject, user, "user"), "secret");
    }

    record NamedUser(String getName) implements Principal, Serializable {}

    /** Spring Security's {@code SecurityContextImpl}, as far as the store reads it: a public getAuthentication(). */
    public static final class ContextShapedLikeSprings implements Serializable {
        private final Principal authentication;

        ContextShapedLikeSprings(Principal authentication) {
            this.authentication = authentication;
        }

        public Principal getAuthentication() {
            return authentication;
        }
    }
}
