package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.CREATED;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.internal.JulianDay;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under {@code flushOnResponseCommit} Jetty saves a request's changes before its response, and saves the session
 * again as the request lets go of it, when only the expiry has moved (by the time the request took). The store writes
 * nothing for that second save when the expiry moved by at most a hundredth of the timeout (and a second), and writes
 * as before whenever anything else moved: a new access, a timeout set, an attribute changed in place, a longer request.
 * A trigger on the table counts the rows written, whatever the store believes it did.
 */
abstract class AbstractSaveAfterResponseTest {
    /** A timeout of a minute: the expiry may lag by up to 600 ms. */
    private static final long TIMEOUT_MS = 60_000;

    @TempDir
    Path dir;

    private StoreFixture fixture;
    private SessionTableDataStore store;

    abstract StoreFixture newFixture(Path dir) throws Exception;

    /** Creates a table {@code writes} of one counter and a trigger adding one for each row inserted or updated. */
    abstract void countWrites(StoreFixture fixture) throws Exception;

    @BeforeEach
    void start() throws Exception {
        fixture = newFixture(dir);
        store = fixture.store();
        countWrites(fixture);
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void theSecondSaveOfARequestThatChangedTheSessionWritesNothing() throws Exception {
        long begun = System.currentTimeMillis();
        SessionData data = newSession("s1", begun, TIMEOUT_MS);
        data.setAttribute("user", "alice");
        store.store("s1", data);
        assertThat(writes()).isEqualTo(1);

        letGo(data, begun + 40);
        assertThat(writes()).as("the save as the request lets go").isEqualTo(1);
        assertThat(storedExpiry("s1")).isEqualTo(begun + TIMEOUT_MS);

        // The next request changes an attribute: one write, and none as it lets go.
        long next = begun + 2_000;
        access(data, next);
        data.setAttribute("cart", "book");
        store.store("s1", data);
        letGo(data, next + 600);
        assertThat(writes()).isEqualTo(2);
        assertThat(storedExpiry("s1")).isEqualTo(next + TIMEOUT_MS);
        assertThat(store.getStatistics().getStoresSkipped()).isEqualTo(2);
        assertThat(store.load("s1").getAttribute("cart")).isEqualTo("book");
    }

    @Test
    void aRequestLongerThanTheLagAllowsIsWrittenAsItLetsGo() throws Exception {
        long begun = System.currentTimeMillis();
        SessionData data = savedSession("s2", begun, TIMEOUT_MS);

        letGo(data, begun + 601);
        assertThat(writes()).isEqualTo(2);
        assertThat(storedExpiry("s2")).isEqualTo(begun + 601 + TIMEOUT_MS);
        assertThat(store.getStatistics().getStoresSkipped()).isZero();
    }

    @Test
    void aSecondLagsAtMostWhateverTheTimeout() throws Exception {
        long begun = System.currentTimeMillis();
        SessionData data = savedSession("s3", begun, 3_600_000);

        letGo(data, begun + 1_001);
        assertThat(writes()).isEqualTo(2);
        assertThat(storedExpiry("s3")).isEqualTo(begun + 1_001 + 3_600_000);
    }

    /** The session's second row write happened, and carried the column's new value. */
    private void assertWrittenAgainWith(String column, String id, long expected) throws Exception {
        assertThat(writes()).isEqualTo(2);
        assertThat(fixture.count("SELECT " + column + " FROM jetty_sessions WHERE session_id = '" + id + "'"))
                .isEqualTo(expected);
    }

    @Test
    void aRequestThatOnlyReadTheSessionWritesItsAccess() throws Exception {
        long begun = System.currentTimeMillis();
        SessionData data = savedSession("s4", begun, TIMEOUT_MS);

        // A later request that sets nothing: no save at its response; its only save carries its access.
        long next = begun + 5;
        access(data, next);
        letGo(data, next + 1);
        assertWrittenAgainWith("accessed_ms", "s4", next);
    }

    @Test
    void aTimeoutSetAfterTheResponseIsWritten() throws Exception {
        long begun = System.currentTimeMillis();
        SessionData data = savedSession("s5", begun, TIMEOUT_MS);

        // A timeout 100 ms longer moves the expiry by less than the lag allows: only the new timeout asks for a write.
        data.setMaxInactiveMs(TIMEOUT_MS + 100);
        letGo(data, begun);
        assertWrittenAgainWith("max_inactive_ms", "s5", TIMEOUT_MS + 100);
    }

    @Test
    void anAttributeChangedInPlaceAfterTheResponseIsWritten() throws Exception {
        long begun = System.currentTimeMillis();
        SessionData data = newSession("s6", begun, TIMEOUT_MS);
        List<String> cart = new ArrayList<>(List.of("apple"));
        data.setAttribute("cart", cart);
        store.store("s6", data);

        cart.add("pen");
        letGo(data, begun + 1);
        assertThat(writes()).isEqualTo(2);
        assertThat(store.load("s6").getAttribute("cart")).isEqualTo(List.of("apple", "pen"));
    }

    @Test
    void aSessionThatNeverExpiresIsNotWrittenAgainForNothing() throws Exception {
        long begun = System.currentTimeMillis();
        SessionData data = savedSession("s7", begun, -1);

        letGo(data, begun + 5_000);
        assertThat(writes()).isEqualTo(1);
        assertThat(fixture.count("SELECT count(*) FROM jetty_sessions WHERE session_id = 's7' AND expires_at IS NULL"))
                .isEqualTo(1);
    }

    @Test
    void aCookieSentAfterTheLastWriteIsWritten() throws Exception {
        long begun = System.currentTimeMillis();
        SessionData data = savedSession("s8", begun, TIMEOUT_MS);

        // Jetty records a cookie it sends after the session's first save (saveOnCreate, a renewed id) in the data.
        data.setCookieSet(begun);
        letGo(data, begun + 1);
        assertWrittenAgainWith("cookie_set_ms", "s8", begun);
    }

    @Test
    void aCopyJustLoadedIsWrittenAtItsFirstSave() throws Exception {
        long begun = System.currentTimeMillis();
        savedSession("s9", begun, TIMEOUT_MS);

        SessionData loaded = store.load("s9");
        letGo(loaded, loaded.getAccessed() + 1);
        assertThat(writes()).isEqualTo(2);
        assertThat(store.getStatistics().getStoresSkipped()).isZero();
    }

    @Test
    void aSessionEndedBetweenTheTwoSavesStaysEnded() throws Exception {
        long begun = System.currentTimeMillis();
        SessionData data = savedSession("s10", begun, TIMEOUT_MS);
        SessionTableDataStore otherNode = fixture.store(StoreFixture.OTHER_NODE, "/app", data.getVhost());
        assertThat(otherNode.delete("s10")).isTrue();

        letGo(data, begun + 1);
        // The next request of the copy finds the row gone, and writes nothing.
        access(data, begun + 2_000);
        data.setAttribute("cart", "book");
        store.store("s10", data);
        assertThat(store.getStatistics().getStoresOfDeletedSessions()).isEqualTo(1);
        assertThat(fixture.count("SELECT count(*) FROM jetty_sessions")).isZero();
        assertThat(writes()).isEqualTo(1);
    }

    /** A new session of this request, begun at {@code begun}, with an attribute set and saved at its response. */
    private SessionData savedSession(String id, long begun, long timeoutMs) throws Exception {
        SessionData data = newSession(id, begun, timeoutMs);
        data.setAttribute("user", "alice");
        store.store(id, data);
        assertThat(writes()).isEqualTo(1);
        return data;
    }

    private SessionData newSession(String id, long begun, long timeoutMs) {
        SessionData data = store.newSessionData(id, CREATED, begun, begun, timeoutMs);
        data.calcAndSetExpiry(begun);
        data.setLastNode(StoreFixture.NODE);
        return data;
    }

    /** What Jetty does as a request takes the session: its access, and the expiry from it. */
    private static void access(SessionData data, long time) {
        data.setLastAccessed(data.getAccessed());
        data.setAccessed(time);
        data.calcAndSetExpiry(time);
    }

    /** What Jetty does as the last request lets go of the session at {@code time}: the expiry from then, and a save. */
    private void letGo(SessionData data, long time) throws Exception {
        data.calcAndSetExpiry(time);
        store.store(data.getId(), data);
    }

    private long writes() throws Exception {
        return fixture.count("SELECT n FROM writes");
    }

    /** The row's expiry in epoch milliseconds (the column holds a Julian day). */
    private long storedExpiry(String id) throws Exception {
        double day = ((Number) fixture.query("SELECT expires_at FROM jetty_sessions WHERE session_id = ?", id)
                        .get(0)
                        .get(0))
                .doubleValue();
        return JulianDay.toEpochMillis(day);
    }
}
