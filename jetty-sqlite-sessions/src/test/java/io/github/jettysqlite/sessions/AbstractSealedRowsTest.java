package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.UnreadableSessionDataException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With an attribute key, a row's attributes are deserialized only when its seal verifies: a row forged, altered or
 * copied by anyone who can write to the database never reaches {@code readObject}.
 */
abstract class AbstractSealedRowsTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private StoreFixture fixture;
    private String key;
    private String otherKey;

    /** The engine under test: a fixture of its own in the directory. */
    abstract StoreFixture newFixture(Path dir) throws Exception;

    @BeforeEach
    void start() throws Exception {
        fixture = newFixture(dir);
        key = keyFile("key", "k1-0123456789abcdef0123456789abcdef");
        otherKey = keyFile("other", "k2-fedcba9876543210fedcba9876543210");
        Tripwire.READS.set(0);
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void sealedRowRoundTripsAndCarriesItsSeal() throws Exception {
        SessionTableDataStore store = store("/app", s -> s.setAttributeKey(key));
        put(store, "s1", "alice");

        assertThat(store.load("s1").getAttribute("user")).isEqualTo("alice");
        assertThat(formatOf("s1"))
                .as("sealed over table, creation time and key")
                .isEqualTo(3);
    }

    @Test
    void rowForgedWithAnotherKeyNeverReachesReadObject() throws Exception {
        SessionTableDataStore forger = store("/app", s -> s.setAttributeKey(otherKey));
        SessionData forged = StoreFixture.session(forger, "s1", System.currentTimeMillis() + HOUR, NODE);
        forged.setAttribute("payload", new Tripwire());
        StoreFixture.put(forger, forged);
        forger.stop();
        SessionTableDataStore store = store("/app", s -> s.setAttributeKey(key));

        assertThatThrownBy(() -> store.load("s1"))
                .isInstanceOf(UnreadableSessionDataException.class)
                .rootCause()
                .hasMessageContaining("key this store does not accept");
        assertThat(Tripwire.READS).hasValue(0);
    }

    @Test
    void alteredBlobFailsItsSeal() throws Exception {
        SessionTableDataStore store = store("/app", s -> s.setAttributeKey(key));
        put(store, "s1", "alice");
        byte[] blob = blobOf("s1");
        blob[blob.length - 1] ^= 1;
        fixture.update("UPDATE jetty_sessions SET attributes = ? WHERE session_id = 's1'", (Object) blob);

        assertThatThrownBy(() -> store.load("s1"))
                .isInstanceOf(UnreadableSessionDataException.class)
                .rootCause()
                .hasMessageContaining("does not match its content and row");
    }

    @Test
    void blobCopiedToAnotherIdOrContextFailsItsSeal() throws Exception {
        SessionTableDataStore store = store("/app", s -> s.setAttributeKey(key));
        SessionTableDataStore other = store("/other", s -> s.setAttributeKey(key));
        put(store, "admin-session", "admin");
        put(store, "victim", "bob");
        put(other, "admin-session", "someone");
        byte[] adminBlob = blobOf("admin-session");

        fixture.update("UPDATE jetty_sessions SET attributes = ? WHERE session_id = 'victim'", (Object) adminBlob);
        fixture.update(
                "UPDATE jetty_sessions SET attributes = ? WHERE session_id = 'admin-session' AND context_path = '/other'",
                (Object) adminBlob);

        assertThat(store.load("admin-session").getAttribute("user")).isEqualTo("admin");
        assertThatThrownBy(() -> store.load("victim")).isInstanceOf(UnreadableSessionDataException.class);
        assertThatThrownBy(() -> other.load("admin-session")).isInstanceOf(UnreadableSessionDataException.class);
    }

    @Test
    void storeWithTheWrongKeyOrNoKeyCannotReadSealedRows() throws Exception {
        SessionTableDataStore sealer = store("/app", s -> s.setAttributeKey(key));
        put(sealer, "s1", "alice");
        sealer.stop();

        SessionTableDataStore wrongKey = store("/app", s -> s.setAttributeKey(otherKey));
        assertThatThrownBy(() -> wrongKey.load("s1")).isInstanceOf(UnreadableSessionDataException.class);
        wrongKey.stop();
        SessionTableDataStore noKey = store("/app", s -> {});
        assertThatThrownBy(() -> noKey.load("s1"))
                .isInstanceOf(UnreadableSessionDataException.class)
                .rootCause()
                .hasMessageContaining("has no attributeKey");
    }

    @Test
    void rotatedKeyStillVerifiesOldRowsAndSealsNewWritesWithTheNewKey() throws Exception {
        SessionTableDataStore before = store("/app", s -> s.setAttributeKey(key));
        put(before, "old", "alice");
        put(before, "touched", "bob");
        before.stop();

        SessionTableDataStore rotated = store("/app", s -> {
            s.setAttributeKey(otherKey);
            s.setAttributeOldKeys(key);
        });
        assertThat(rotated.load("old").getAttribute("user")).isEqualTo("alice");
        SessionData touched = rotated.load("touched");
        touched.setAttribute("user", "bob2");
        rotated.store("touched", touched);
        rotated.stop();

        SessionTableDataStore newKeyOnly = store("/app", s -> s.setAttributeKey(otherKey));
        assertThat(newKeyOnly.load("touched").getAttribute("user")).isEqualTo("bob2");
        assertThatThrownBy(() -> newKeyOnly.load("old")).isInstanceOf(UnreadableSessionDataException.class);
    }

    @Test
    void unsealedRowsAreReadAndSealedOnTheirNextWriteUnlessRefused() throws Exception {
        SessionTableDataStore unsealed = store("/app", s -> {});
        put(unsealed, "before", "alice");
        put(unsealed, "planted-later", "mallory");
        unsealed.stop();
        assertThat(formatOf("before")).isEqualTo(1);

        SessionTableDataStore sealing = store("/app", s -> {
            s.setAttributeKey(key);
            s.setAcceptUnsealedRows(true); // the migration window, opened on purpose
        });
        SessionData before = sealing.load("before");
        assertThat(before.getAttribute("user")).isEqualTo("alice");
        // Only the access time changes, yet the row is written whole so that it carries a seal from now on.
        before.setAccessed(System.currentTimeMillis());
        before.setMetaDataDirty(true);
        sealing.store("before", before);
        assertThat(formatOf("before")).isEqualTo(3);
        sealing.stop();

        SessionTableDataStore strict = store("/app", s -> s.setAttributeKey(key));
        assertThat(strict.load("before").getAttribute("user")).isEqualTo("alice");
        assertThatThrownBy(() -> strict.load("planted-later"))
                .isInstanceOf(UnreadableSessionDataException.class)
                .rootCause()
                .hasMessageContaining("refuses unsealed rows");
    }

    @Test
    void aPlantedUnsealedRowIsRefusedByDefaultOnceAKeyIsSet() throws Exception {
        SessionTableDataStore planter = store("/app", s -> {});
        SessionData planted = StoreFixture.session(planter, "s1", System.currentTimeMillis() + HOUR, NODE);
        planted.setAttribute("role", "admin");
        planted.setAttribute("payload", new Tripwire());
        StoreFixture.put(planter, planted);
        planter.stop();

        SessionTableDataStore store = store("/app", s -> s.setAttributeKey(key));

        assertThatThrownBy(() -> store.load("s1"))
                .isInstanceOf(UnreadableSessionDataException.class)
                .rootCause()
                .hasMessageContaining("refuses unsealed rows");
        assertThat(Tripwire.READS).hasValue(0);
    }

    @Test
    void aSealedBlobWrittenBackIntoASessionCreatedAnewUnderTheSameIdIsRefused() throws Exception {
        SessionTableDataStore store = store("/app", s -> s.setAttributeKey(key));
        put(store, "s1", "alice");
        byte[] aliceBlob = blobOf("s1");
        // alice logs out; a new session is created under the same id (as Jetty does for a cookie still in use).
        assertThat(store.delete("s1")).isTrue();
        SessionData fresh = StoreFixture.session(store, "s1", System.currentTimeMillis() + HOUR, NODE);
        fresh.setCreated(fresh.getCreated() + 1_000);
        fresh.setAttribute("user", "nobody");
        StoreFixture.put(store, fresh);

        fixture.update("UPDATE jetty_sessions SET attributes = ? WHERE session_id = 's1'", aliceBlob);

        assertThatThrownBy(() -> store.load("s1"))
                .isInstanceOf(UnreadableSessionDataException.class)
                .rootCause()
                .hasMessageContaining("does not match");
    }

    @Test
    void aSealedBlobCopiedIntoAnotherTableIsRefused() throws Exception {
        SessionTableDataStore store = store("/app", s -> s.setAttributeKey(key));
        put(store, "s1", "alice");
        SessionTableDataStore other = store("/app", s -> {
            s.setAttributeKey(key);
            s.setTableName("other_sessions");
        });
        put(other, "s1", "bob");
        long created = ((Number) fixture.query("SELECT created_ms FROM jetty_sessions WHERE session_id = 's1'")
                        .get(0)
                        .get(0))
                .longValue();
        fixture.update(
                "UPDATE other_sessions SET attributes = ?, created_ms = ? WHERE session_id = 's1'",
                blobOf("s1"),
                created);

        assertThatThrownBy(() -> other.load("s1"))
                .isInstanceOf(UnreadableSessionDataException.class)
                .rootCause()
                .hasMessageContaining("does not match");
    }

    @Test
    void aRotationCompletesThroughMetadataOnlyWrites() throws Exception {
        SessionTableDataStore old = store("/app", s -> s.setAttributeKey(key));
        put(old, "s1", "alice");
        old.stop();
        byte[] underOldKey = blobOf("s1");
        SessionTableDataStore rotated = store("/app", s -> {
            s.setAttributeKey(otherKey);
            s.setAttributeOldKeys(key);
        });

        SessionData touched = rotated.load("s1");
        touched.setAccessed(System.currentTimeMillis());
        touched.setMetaDataDirty(true);
        rotated.store("s1", touched);
        rotated.stop();

        assertThat(blobOf("s1")).isNotEqualTo(underOldKey);
        SessionTableDataStore newKeyOnly = store("/app", s -> s.setAttributeKey(otherKey));
        assertThat(newKeyOnly.load("s1").getAttribute("user")).isEqualTo("alice");
    }

    @Test
    void theSealCommandSealsEveryRowInPlaceAndAgainChangesNothing() throws Exception {
        SessionTableDataStore unsealed = store("/app", s -> {});
        for (int i = 0; i < 450; i++) {
            put(unsealed, "u" + i, "user" + i);
        }
        unsealed.stop();
        SessionTableDataStore oldKey = store("/app", s -> s.setAttributeKey(key));
        put(oldKey, "k", "sealed under the old key");
        oldKey.stop();
        SessionTableDataStore windowClosed = store("/other", s -> {
            s.setAttributeKey(otherKey);
            s.setAttributeOldKeys(key);
        });
        assertThat(windowClosed.sealRows()).as("unsealed rows left alone").contains("sealed=1, ");
        windowClosed.stop();
        SessionTableDataStore store = store("/app", s -> {
            s.setAttributeKey(otherKey);
            s.setAttributeOldKeys(key);
            s.setAcceptUnsealedRows(true); // the window, opened on purpose to seal an existing table
        });
        assertThat(store.admin().sealStates()).containsEntry("unsealed", 450L).hasSize(2);

        String first = store.sealRows();
        String second = store.sealRows();

        assertThat(first).contains("sealed=450").contains("alreadyCurrent=1");
        assertThat(second).contains("sealed=0").contains("alreadyCurrent=451");
        assertThat(store.admin().sealStates()).hasSize(1).containsValue(451L);
        assertThat(store.admin().sealStates().keySet().iterator().next()).startsWith("sealed ");
        SessionTableDataStore strict = store("/app", s -> s.setAttributeKey(otherKey));
        assertThat(strict.load("u449").getAttribute("user")).isEqualTo("user449");
        assertThat(strict.load("k").getAttribute("user")).isEqualTo("sealed under the old key");
    }

    @Test
    void aSessionOlderThanTheAbsoluteLifetimeIsRefusedWhateverItsExpirySays() throws Exception {
        SessionTableDataStore store = store("/app", s -> {
            s.setAttributeKey(key);
            s.setMaxSessionLifetimeSec(3_600);
        });
        long now = System.currentTimeMillis();
        SessionData old = store.newSessionData("old", now - 2 * HOUR, now - 1_000, now - 2_000, -1);
        old.setAttribute("user", "alice");
        StoreFixture.put(store, old);
        // Someone with database access moves the expiry far out: the creation time, under the seal, still rules.
        fixture.update("UPDATE jetty_sessions SET expires_at = expires_at + 365 WHERE session_id = 'old'");

        assertThat(store.load("old")).as("refused: older than the lifetime").isNull();
        assertThat(fixture.count("SELECT count(*) FROM jetty_sessions WHERE session_id = 'old'"))
                .isEqualTo(1);
        fixture.update("UPDATE jetty_sessions SET created_ms = ? WHERE session_id = 'old'", now);
        assertThatThrownBy(() -> store.load("old"))
                .as("a creation time moved under the seal")
                .isInstanceOf(UnreadableSessionDataException.class);
    }

    @Test
    void everyWriteCapsTheStoredExpiryAtTheAbsoluteLifetime() throws Exception {
        SessionTableDataStore store = store("/app", s -> s.setMaxSessionLifetimeSec(3_600));
        long now = System.currentTimeMillis();
        long created = now - HOUR / 2;
        SessionData immortal = store.newSessionData("immortal", created, now - 1_000, now - 2_000, -1);
        StoreFixture.put(store, immortal);
        SessionData longLived = store.newSessionData("long", created, now - 1_000, now - 2_000, 8 * HOUR);
        longLived.setExpiry(now + 8 * HOUR);
        StoreFixture.put(store, longLived);
        SessionData touched = store.load("long");
        touched.setAccessed(now);
        touched.calcAndSetExpiry(now);
        touched.setAttribute("x", "y");
        store.store("long", touched);

        double cap = io.github.jettysqlite.sessions.internal.JulianDay.fromEpochMillis(created + HOUR);
        assertThat(fixture.query("SELECT session_id, expires_at FROM jetty_sessions ORDER BY session_id"))
                .containsExactly(List.of("immortal", cap), List.of("long", cap));
        assertThat(store.doGetExpired(created + HOUR))
                .as("the scavengers find both")
                .contains("immortal", "long");
        assertThat(store.load("long").getExpiry()).isEqualTo(created + HOUR);
    }

    @Test
    void encryptedAttributesNeverAppearInTheDatabaseAndRoundTrip() throws Exception {
        SessionTableDataStore store = store("/app", s -> {
            s.setAttributeKey(key);
            s.setEncryptAttributes(true);
        });
        SessionData data = StoreFixture.session(store, "s1", System.currentTimeMillis() + HOUR, NODE);
        data.setAttribute("email", "alice.secret@example.com");
        StoreFixture.put(store, data);

        assertThat(formatOf("s1")).isEqualTo(4);
        assertThat(new String(blobOf("s1"), java.nio.charset.StandardCharsets.ISO_8859_1))
                .doesNotContain("alice.secret");
        if (fixture instanceof SQLiteFixture sqlite) {
            store.stop();
            assertThat(new String(Files.readAllBytes(sqlite.file()), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .doesNotContain("alice.secret");
            store = store("/app", s -> {
                s.setAttributeKey(key);
                s.setEncryptAttributes(true);
            });
        }
        assertThat(store.load("s1").getAttribute("email")).isEqualTo("alice.secret@example.com");
    }

    @Test
    void encryptedAttributesMergeAndAnAlteredCiphertextIsUnreadable() throws Exception {
        Consumer<SessionTableSettings> encrypting = s -> {
            s.setAttributeKey(key);
            s.setEncryptAttributes(true);
        };
        SessionTableDataStore nodeA = store("/app", encrypting);
        SessionTableDataStore nodeB =
                fixture.store(StoreFixture.OTHER_NODE, "/app", SessionContext.NULL_VHOST, encrypting);
        put(nodeA, "s1", "alice");
        SessionData onA = nodeA.load("s1");
        SessionData onB = nodeB.load("s1");
        onA.setAttribute("a", "from A");
        onB.setAttribute("b", "from B");
        nodeA.store("s1", onA);
        nodeB.store("s1", onB);
        assertThat(nodeA.load("s1").getAllAttributes())
                .containsEntry("a", "from A")
                .containsEntry("b", "from B")
                .containsEntry("user", "alice");

        byte[] blob = blobOf("s1");
        blob[blob.length - 1] ^= 1;
        fixture.update("UPDATE jetty_sessions SET attributes = ? WHERE session_id = 's1'", blob);
        assertThatThrownBy(() -> nodeA.load("s1")).isInstanceOf(UnreadableSessionDataException.class);
    }

    @Test
    void theSealCommandEncryptsSealedRowsWhenAsked() throws Exception {
        SessionTableDataStore sealing = store("/app", s -> s.setAttributeKey(key));
        put(sealing, "s1", "alice");
        sealing.stop();
        SessionTableDataStore encrypting = store("/app", s -> {
            s.setAttributeKey(key);
            s.setEncryptAttributes(true);
        });

        assertThat(encrypting.sealRows()).contains("sealed=1");

        assertThat(formatOf("s1")).isEqualTo(4);
        assertThat(encrypting.admin().sealStates().keySet())
                .singleElement()
                .asString()
                .startsWith("encrypted ");
        assertThat(encrypting.load("s1").getAttribute("user")).isEqualTo("alice");
    }

    @Test
    void encryptionWithoutAKeyStopsStart() {
        assertThatThrownBy(() -> store("/app", s -> s.setEncryptAttributes(true)))
                .hasMessageContaining("encryptAttributes")
                .hasMessageContaining("attributeKey");
    }

    @Test
    void withoutSealingAForgedRowWouldReachReadObject() throws Exception {
        // Shows the forged-row test can fail: a store that does not verify seals deserializes what it finds.
        SessionTableDataStore forger = store("/app", s -> {});
        SessionData forged = StoreFixture.session(forger, "s1", System.currentTimeMillis() + HOUR, NODE);
        forged.setAttribute("payload", new Tripwire());
        StoreFixture.put(forger, forged);

        forger.load("s1");

        assertThat(Tripwire.READS).hasValue(1);
    }

    @Test
    void keyIsNamedInErrorsButNeverShown() throws Exception {
        Path shortKey = dir.resolve("short");
        Files.writeString(shortKey, "s3cr3t-but-short");

        assertThatThrownBy(() -> store("/app", s -> s.setAttributeKey("file:" + shortKey)))
                .hasMessageContaining("attributeKey")
                .hasMessageContaining(shortKey.toString())
                .hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> store("/app", s -> s.setAttributeKey("env:JSS_TEST_KEY_THAT_IS_NOT_SET")))
                .hasMessageContaining("JSS_TEST_KEY_THAT_IS_NOT_SET is not set");
        assertThatThrownBy(() -> store("/app", s -> s.setAttributeKey("k1-0123456789abcdef0123456789abcdef")))
                .hasMessageContaining("env:VARIABLE or file:PATH")
                .hasMessageNotContaining("0123456789abcdef");
        SessionTableDataStore store = store("/app", s -> s.setAttributeKey(key));
        assertThat(store.toString()).doesNotContain("k1-0123");
        assertThat(store.isSealing()).isTrue();
    }

    @Test
    void aRowSealedUnderAKeyThisNodeLacksIsNeverOverwrittenByAMerge() throws Exception {
        // A rolling key change: node A still has only the old key, node B already seals with the new one.
        SessionTableDataStore nodeA = store("/app", s -> s.setAttributeKey(key));
        SessionTableDataStore nodeB = fixture.store(StoreFixture.OTHER_NODE, "/app", SessionContext.NULL_VHOST, s -> {
            s.setAttributeKey(otherKey);
            s.setAttributeOldKeys(key);
        });
        put(nodeA, "s1", "alice");
        SessionData onA = nodeA.load("s1");
        SessionData onB = nodeB.load("s1");
        onB.setAttribute("mfa", "passed");
        nodeB.store("s1", onB);
        byte[] written = blobOf("s1");

        onA.setAttribute("cart", "book");
        assertThatThrownBy(() -> nodeA.store("s1", onA))
                .hasStackTraceContaining("cannot merge with")
                .hasStackTraceContaining("attributeKey");
        assertThat(blobOf("s1")).as("the other node's write stays whole").isEqualTo(written);
        assertThat(nodeB.load("s1").getAllAttributes())
                .containsEntry("mfa", "passed")
                .containsEntry("user", "alice");
    }

    /**
     * A store whose rows these tests can find, alter and copy by their plain ids, to test what the seal refuses: with
     * protected ids (the default with a key) a row written under another key is not even found, which
     * {@link AbstractProtectedIdsTest} shows.
     */
    private SessionTableDataStore store(String context, Consumer<SessionTableSettings> setup) throws Exception {
        return fixture.store(
                NODE, context, SessionContext.NULL_VHOST, setup.andThen(s -> s.setProtectSessionIds(false)));
    }

    private static void put(SessionTableDataStore store, String id, String user) throws Exception {
        SessionData data = StoreFixture.session(store, id, System.currentTimeMillis() + HOUR, NODE);
        data.setAttribute("user", user);
        StoreFixture.put(store, data);
    }

    private String keyFile(String name, String text) throws IOException {
        Path file = dir.resolve(name + ".key");
        Files.writeString(file, text + "\n");
        return "file:" + file;
    }

    private byte[] blobOf(String id) throws Exception {
        List<List<Object>> rows = fixture.query(
                "SELECT attributes FROM jetty_sessions WHERE session_id = ? AND context_path = '/app'", id);
        return (byte[]) rows.get(0).get(0);
    }

    private int formatOf(String id) throws Exception {
        return blobOf(id)[3];
    }

    /** Counts its own deserializations: proof of whether a row reached readObject. */
    static final class Tripwire implements Serializable {
        static final AtomicInteger READS = new AtomicInteger();

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            READS.incrementAndGet();
        }
    }
}
