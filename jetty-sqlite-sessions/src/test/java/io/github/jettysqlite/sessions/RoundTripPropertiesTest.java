package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated keys and attribute maps, hostile ones included (quotes, %, _, unicode, NUL, thousands of characters,
 * attributes up to 10 MiB): each round-trips exactly, stays inside its own context and breaks no SQL. The seed is
 * printed and can be replayed with {@code -Dproperties.seed=N}.
 */
class RoundTripPropertiesTest {
    private static final int CASES = Integer.getInteger("properties.cases", 300);
    private static final String[] AWKWARD = {
        "'", "\"", "%", "_", "\\", ";", "--", "/*", "\u0000", "ü", "☃", "𝄞", "\n", " ", "' OR '1'='1", "%_%"
    };

    @TempDir
    Path dir;

    private SQLiteFixture fixture;
    private long seed;
    private SplittableRandom random;

    @BeforeEach
    void open() {
        fixture = new SQLiteFixture(dir.resolve("properties.db"));
        seed = Long.getLong("properties.seed", System.nanoTime());
        random = new SplittableRandom(seed);
    }

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void generatedSessionsRoundTripExactlyAndStayInTheirContext() throws Exception {
        // Printed first, so that a failure thrown from inside the store, not only an assertion, can be replayed.
        System.out.printf("round-trip properties: seed %d (replay with -Dproperties.seed=%d)%n", seed, seed);
        for (int i = 0; i < CASES; i++) {
            String contextPath = awkwardString(40);
            String vhost = awkwardString(20);
            String id = awkwardString(random.nextInt(10) == 0 ? 2_000 : 60);
            SQLiteSessionDataStore store = fixture.store(StoreFixture.NODE, contextPath, vhost);
            SQLiteSessionDataStore neighbour = fixture.store(StoreFixture.NODE, contextPath + "x", vhost);
            Map<String, Object> attributes = attributes(random.nextInt(12), 64 * 1024);
            SessionData data =
                    store.newSessionData(id, random.nextLong(1, 1L << 40), 2, 3, random.nextLong(-1, 10_000_000));
            data.setExpiry(random.nextBoolean() ? 0 : random.nextLong(1, 13_000_000_000_000L));
            data.setLastNode(awkwardString(10));
            data.putAllAttributes(attributes);
            StoreFixture.put(store, data);

            SessionData loaded = store.load(id);
            String context = "seed " + seed + ", case " + i;
            assertThat(loaded).as(context).isNotNull();
            assertThat(loaded.getAllAttributes()).as(context).isEqualTo(attributes);
            assertThat(loaded.getExpiry()).as(context).isEqualTo(data.getExpiry());
            assertThat(loaded.getLastNode()).as(context).isEqualTo(data.getLastNode());
            assertThat(loaded.getCreated()).as(context).isEqualTo(data.getCreated());
            // At time 0 nothing has expired, so an existing candidate must be recognised, whatever its id holds.
            assertThat(store.doCheckExpired(java.util.Set.of(id), 0))
                    .as(context)
                    .isEmpty();
            assertThat(neighbour.load(id)).as(context).isNull();
            assertThat(neighbour.doCheckExpired(java.util.Set.of(id), Long.MAX_VALUE / 4))
                    .as(context)
                    .containsExactly(id);
            assertThat(store.delete(id)).as(context).isTrue();
            store.stop();
            neighbour.stop();
        }
        System.out.printf("round-trip properties: %d cases passed%n", CASES);
    }

    @Test
    void attributesUpToTenMebibytesRoundTrip() throws Exception {
        SQLiteSessionDataStore store = fixture.store();
        for (int size : new int[] {0, 1, 4095, 4096, 65_537, 1 << 20, 10 * (1 << 20)}) {
            byte[] blob = new byte[size];
            random.nextBytes(blob);
            SessionData data = StoreFixture.session(store, "big" + size, 0, StoreFixture.NODE);
            data.setAttribute("blob", blob);
            data.setAttribute("text", "é".repeat(Math.min(size, 1 << 20)));
            StoreFixture.put(store, data);

            SessionData loaded = store.load("big" + size);
            assertThat((byte[]) loaded.getAttribute("blob")).isEqualTo(blob);
            assertThat(loaded.getAttribute("text")).isEqualTo(data.getAttribute("text"));
        }
    }

    private String awkwardString(int maxLength) {
        int length = random.nextInt(0, maxLength + 1);
        StringBuilder s = new StringBuilder();
        while (s.length() < length) {
            switch (random.nextInt(3)) {
                case 0 -> s.append(AWKWARD[random.nextInt(AWKWARD.length)]);
                case 1 -> s.appendCodePoint(random.nextInt(0x20, 0x7f));
                default -> s.appendCodePoint(random.nextInt(0xa0, 0x2fff));
            }
        }
        return s.toString();
    }

    private Map<String, Object> attributes(int count, int maxBytes) {
        Map<String, Object> attributes = new HashMap<>();
        for (int i = 0; i < count; i++) {
            attributes.put(awkwardString(30) + i, value(maxBytes, 0));
        }
        return attributes;
    }

    private Object value(int maxBytes, int depth) {
        int kind = random.nextInt(depth > 2 ? 9 : 11);
        return switch (kind) {
            case 0 -> awkwardString(200);
            case 1 -> random.nextInt();
            case 2 -> random.nextLong();
            case 3 -> random.nextBoolean();
            case 4 -> new BigDecimal(random.nextLong()).scaleByPowerOfTen(-random.nextInt(10));
            case 5 -> new Date(random.nextLong(0, 1L << 42));
            case 6 -> {
                byte[] bytes = new byte[random.nextInt(maxBytes)];
                random.nextBytes(bytes);
                yield new Bytes(bytes);
            }
            case 7 -> random.nextDouble();
            case 8 -> new Point(random.nextInt(), awkwardString(20));
            case 9 -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    list.add(value(maxBytes / 4, depth + 1));
                }
                yield list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    map.put(awkwardString(10), value(maxBytes / 4, depth + 1));
                }
                yield map;
            }
        };
    }

    /** byte[] compares by identity; this wrapper compares by content so maps of attributes can be compared. */
    record Bytes(byte[] value) implements Serializable {
        @Override
        public boolean equals(Object other) {
            return other instanceof Bytes b && java.util.Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(value);
        }
    }

    /** A user-defined serializable value type. */
    record Point(int x, String label) implements Serializable {}
}
