package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.admin.Progress;
import io.github.jettysqlite.sessions.admin.RowSealing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a key, the table holds a keyed hash of each session id, never the id: whoever reads the database has nothing
 * to present as a cookie. Rows written before (plain ids, or under a key since rotated out) are still found and used
 * where they are, by every node whatever its key, and the {@code seal} command moves them all under the current key,
 * while servers run.
 */
abstract class AbstractProtectedIdsTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private StoreFixture fixture;
    private String key;
    private String newKey;

    abstract StoreFixture newFixture(Path dir) throws Exception;

    @BeforeEach
    void start() throws Exception {
        fixture = newFixture(dir);
        key = keyFile("key", "k1-0123456789abcdef0123456789abcdef");
        newKey = keyFile("new", "k3-00112233445566778899aabbccddeeff");
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void theTableHoldsNoIdAndEveryOperationStillFindsTheSession() throws Exception {
        SessionTableDataStore store = store(s -> s.setAttributeKey(key));
        long now = System.currentTimeMillis();
        put(store, "node0alive", now + HOUR);
        put(store, "node0gone", now - HOUR);

        List<List<Object>> rows = fixture.query("SELECT session_id, sealed_id FROM jetty_sessions");
        assertThat(rows).hasSize(2).allSatisfy(row -> {
            assertThat((String) row.get(0)).startsWith("~");
            assertThat((String) row.get(1)).isNotNull();
        });
        // Every column of every row, text and bytes alike: no id issued appears anywhere.
        for (List<Object> row : fixture.query("SELECT * FROM jetty_sessions")) {
            for (Object value : row) {
                String text = value instanceof byte[] bytes
                        ? new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)
                        : String.valueOf(value);
                assertThat(text).doesNotContain("node0alive").doesNotContain("node0gone");
            }
        }
        assertThat(store.load("node0alive").getAttribute("user")).isEqualTo("alice");
        assertThat(store.exists("node0alive")).isTrue();
        assertThat(store.getExpired(Set.of("node0alive", "node0gone", "node0never")))
                .containsExactlyInAnyOrder("node0gone", "node0never");
        assertThat(store.doGetExpired(now)).contains("node0gone").doesNotContain("node0alive");
        assertThat(store.delete("node0alive")).isTrue();
        assertThat(store.load("node0alive")).isNull();
    }

    @Test
    void aHashReadOutOfTheTableIsNoCookie() throws Exception {
        SessionTableDataStore store = store(s -> s.setAttributeKey(key));
        put(store, "node0victim", System.currentTimeMillis() + HOUR);
        String stolen = (String)
                fixture.query("SELECT session_id FROM jetty_sessions").get(0).get(0);

        assertThat(store.load(stolen)).isNull();
        assertThat(store.exists(stolen)).isFalse();
        assertThat(fixture.query("SELECT session_id FROM jetty_sessions")).containsExactly(List.of(stolen));
    }

    @Test
    void aPlainRowOfBeforeIsUsedWhereItIsUntilSealingMovesIt() throws Exception {
        SessionTableDataStore before = store(s -> {
            s.setAttributeKey(key);
            s.setProtectSessionIds(false);
        });
        put(before, "node0old", System.currentTimeMillis() + HOUR);
        before.stop();
        assertThat(fixture.query("SELECT session_id FROM jetty_sessions")).containsExactly(List.of("node0old"));

        SessionTableDataStore store = store(s -> s.setAttributeKey(key));
        SessionData loaded = store.load("node0old");
        SessionData held = store.load("node0old");

        assertThat(loaded.getAttribute("user")).isEqualTo("alice");
        assertThat(store.exists("node0old")).isTrue();
        assertThat(store.getExpired(Set.of("node0old"))).isEmpty();
        loaded.setAttribute("user", "alice again");
        store.store("node0old", loaded);
        assertThat(store.load("node0old").getAttribute("user")).isEqualTo("alice again");
        assertThat(fixture.query("SELECT session_id FROM jetty_sessions")).containsExactly(List.of("node0old"));

        // Sealing moves the row while a request holds the session: that request's next write follows it.
        store.admin().seal(key, null, false, false, true, Progress.NONE);
        assertThat((String) fixture.query("SELECT session_id FROM jetty_sessions")
                        .get(0)
                        .get(0))
                .startsWith("~");
        held.setAttribute("cart", "book");
        store.store("node0old", held);
        SessionData after = store.load("node0old");
        assertThat(after.getAttribute("cart")).isEqualTo("book");
        assertThat(after.getAttribute("user"))
                .as("the other request's change, merged")
                .isEqualTo("alice again");
        assertThat(fixture.count("SELECT count(*) FROM jetty_sessions")).isEqualTo(1);
        assertThat(store.delete("node0old")).isTrue();
        assertThat(fixture.count("SELECT count(*) FROM jetty_sessions")).isZero();
    }

    @Test
    void duringARotationNodesOnEitherKeyShareTheRows() throws Exception {
        SessionTableDataStore before = store(s -> s.setAttributeKey(key));
        put(before, "node0rotated", System.currentTimeMillis() + HOUR);
        before.stop();
        String oldHash = (String)
                fixture.query("SELECT session_id FROM jetty_sessions").get(0).get(0);
        // A rolling key change: node A already seals with the new key, node B still with the old one, each
        // accepting the other's.
        SessionTableDataStore nodeA = store(s -> {
            s.setAttributeKey(newKey);
            s.setAttributeOldKeys(key);
        });
        SessionTableDataStore nodeB = fixture.store(StoreFixture.OTHER_NODE, "/app", SessionContext.NULL_VHOST, s -> {
            s.setAttributeKey(key);
            s.setAttributeOldKeys(newKey);
        });
        put(nodeA, "node0new", System.currentTimeMillis() + HOUR);

        SessionData onA = nodeA.load("node0rotated");
        onA.setAttribute("user", "changed on A");
        nodeA.store("node0rotated", onA);
        assertThat(nodeB.load("node0rotated").getAttribute("user")).isEqualTo("changed on A");
        assertThat(nodeB.load("node0new"))
                .as("a session the other node created")
                .isNotNull();
        assertThat(fixture.query("SELECT session_id FROM jetty_sessions WHERE session_id = ?", oldHash))
                .as("the row stays where it was until sealing")
                .hasSize(1);

        nodeA.admin().seal(newKey, key, false, false, true, Progress.NONE);
        assertThat(fixture.query("SELECT session_id FROM jetty_sessions WHERE session_id = ?", oldHash))
                .isEmpty();
        assertThat(nodeA.load("node0rotated").getAttribute("user")).isEqualTo("changed on A");
        assertThat(nodeB.load("node0rotated").getAttribute("user")).isEqualTo("changed on A");
    }

    @Test
    void sealingMovesEveryRowUnderTheKeyAndChangesNothingTheSecondTime() throws Exception {
        SessionTableDataStore before = store(s -> {
            s.setAttributeKey(key);
            s.setProtectSessionIds(false);
        });
        for (String id : List.of("node0a", "node0b", "node0c")) {
            put(before, id, System.currentTimeMillis() + HOUR);
        }
        before.stop();
        SessionTableDataStore store = store(s -> s.setAttributeKey(key));

        RowSealing.Outcome first = store.admin().seal(key, null, false, false, true, Progress.NONE);
        RowSealing.Outcome second = store.admin().seal(key, null, false, false, true, Progress.NONE);

        assertThat(first.sealed()).isEqualTo(3);
        assertThat(first.alreadyCurrent())
                .as("moved rows are not counted again")
                .isZero();
        assertThat(second.sealed()).isZero();
        assertThat(second.alreadyCurrent()).isEqualTo(3);
        assertThat(fixture.query("SELECT session_id FROM jetty_sessions"))
                .allSatisfy(row -> assertThat((String) row.get(0)).startsWith("~"));
        for (String id : List.of("node0a", "node0b", "node0c")) {
            assertThat(store.load(id).getAttribute("user")).isEqualTo("alice");
        }
    }

    @Test
    void aSealedIdMovedToAnotherRowOpensToNothing() throws Exception {
        SessionTableDataStore store = store(s -> s.setAttributeKey(key));
        long past = System.currentTimeMillis() - HOUR;
        put(store, "node0one", past);
        put(store, "node0two", past);
        List<List<Object>> rows = fixture.query("SELECT session_id, sealed_id FROM jetty_sessions ORDER BY session_id");
        fixture.update(
                "UPDATE jetty_sessions SET sealed_id = ? WHERE session_id = ?",
                rows.get(1).get(1),
                rows.get(0).get(0));

        Set<String> expired = store.doGetExpired(System.currentTimeMillis());

        assertThat(expired).as("only the row whose sealed id is its own").hasSize(1);
    }

    @Test
    void aNodeWithProtectionOffFindsProtectedRowsAndTakesNoHashForAnId() throws Exception {
        // Switching protection on (or back off) node by node: a node with the key but protection off still serves
        // the sessions a protecting node wrote, and a hash read out of the table is no cookie there either.
        SessionTableDataStore protecting = store(s -> s.setAttributeKey(key));
        put(protecting, "node0both", System.currentTimeMillis() + HOUR);
        SessionTableDataStore plain = fixture.store(StoreFixture.OTHER_NODE, "/app", SessionContext.NULL_VHOST, s -> {
            s.setAttributeKey(key);
            s.setProtectSessionIds(false);
        });
        String stolen = (String)
                fixture.query("SELECT session_id FROM jetty_sessions").get(0).get(0);

        assertThat(plain.load("node0both").getAttribute("user")).isEqualTo("alice");
        assertThat(plain.exists("node0both")).isTrue();
        assertThat(plain.load(stolen)).isNull();
        assertThat(plain.exists(stolen)).isFalse();
        assertThat(plain.delete(stolen)).isFalse();
        assertThat(fixture.count("SELECT count(*) FROM jetty_sessions")).isEqualTo(1);
    }

    @Test
    void withoutAKeyIdsAreKeptAsTheyAre() throws Exception {
        SessionTableDataStore store = store(s -> {});
        put(store, "node0plain", System.currentTimeMillis() + HOUR);

        assertThat(fixture.query("SELECT session_id, sealed_id FROM jetty_sessions"))
                .containsExactly(java.util.Arrays.asList("node0plain", null));
    }

    private SessionTableDataStore store(Consumer<SessionTableSettings> setup) throws Exception {
        return fixture.store(NODE, "/app", SessionContext.NULL_VHOST, setup);
    }

    private static void put(SessionTableDataStore store, String id, long expiry) throws Exception {
        SessionData data = StoreFixture.session(store, id, expiry, NODE);
        StoreFixture.put(store, data);
    }

    private String keyFile(String name, String text) throws Exception {
        Path file = dir.resolve(name + ".key");
        Files.writeString(file, text + "\n");
        return "file:" + file;
    }
}
