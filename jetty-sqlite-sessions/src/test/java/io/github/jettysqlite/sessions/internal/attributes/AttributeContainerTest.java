package io.github.jettysqlite.sessions.internal.attributes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The attributes container is read straight from its bytes: every name and value comes back as written, and every
 * damaged container is refused as unreadable, never read as something else, exactly as a {@code DataInputStream}
 * reading the same layout would decide.
 */
class AttributeContainerTest {
    private static final AttributeSeal.SessionKey ROW = new AttributeSeal.SessionKey("t", "/", "0.0.0.0", "id", 1L);

    @Test
    void everyNameAndValueComesBackAsWritten() throws Exception {
        Map<String, byte[]> written = new LinkedHashMap<>();
        written.put("user", bytes("alice"));
        written.put("", new byte[0]);
        written.put("grüße", bytes("umlauts"));
        written.put("名前", bytes("cjk"));
        written.put("nul\u0000inside", bytes("nul"));
        written.put("emoji \uD83D\uDE00", new byte[] {0, (byte) 0xAC, (byte) 0xED, -1});
        byte[] blob = AttributeCodec.unsealed().encode(written, ROW);

        Map<String, byte[]> read = AttributeCodec.unsealed().decode(blob, ROW).attributes();

        assertThat(read.keySet()).containsExactlyInAnyOrderElementsOf(written.keySet());
        written.forEach((name, value) -> assertThat(read.get(name)).as(name).isEqualTo(value));
        assertThat(AttributeCodec.layout(blob).keySet()).isEqualTo(read.keySet());
    }

    @Test
    void theContainerIsByteForByteWhatADataOutputStreamWritesOfTheLayout() throws Exception {
        Map<String, byte[]> written = new LinkedHashMap<>();
        written.put("user", bytes("alice"));
        written.put("", new byte[0]);
        written.put("nul\u0000 del\u007F \u0080 \u07FF \u0800 \uFFFF \uD83D\uDE00", bytes("edges"));
        Random random = new Random(20261206);
        char[] edges = {0, 1, 0x7F, 0x80, 0x7FF, 0x800, 0xD800, 0xDFFF, 0xFFFF};
        for (int n = 0; n < 200; n++) {
            char[] name = new char[random.nextInt(12)];
            for (int i = 0; i < name.length; i++) {
                name[i] = random.nextBoolean() ? edges[random.nextInt(edges.length)] : (char) random.nextInt(0x10000);
            }
            byte[] value = new byte[random.nextInt(40)];
            random.nextBytes(value);
            written.put(new String(name), value);
        }

        byte[] blob = AttributeCodec.unsealed().encode(written, ROW);

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(expected)) {
            out.write(new byte[] {'J', 'S', 'A', 1});
            out.writeInt(written.size());
            for (Map.Entry<String, byte[]> e : written.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().length);
                out.write(e.getValue());
            }
        }
        assertThat(blob).isEqualTo(expected.toByteArray());
        Map<String, byte[]> read = AttributeCodec.unsealed().decode(blob, ROW).attributes();
        written.forEach((name, value) -> assertThat(read.get(name)).as(name).isEqualTo(value));
    }

    @Test
    void aNameLongerThanItsLengthBytesCanSayIsRefusedInWords() throws Exception {
        String longest = "x".repeat(65_535);
        String longestWide = "\u4E2D".repeat(21_845);
        Map<String, byte[]> fits = Map.of(longest, bytes("a"), longestWide, bytes("b"));
        assertThat(AttributeCodec.unsealed()
                        .decode(AttributeCodec.unsealed().encode(fits, ROW), ROW)
                        .attributes())
                .containsOnlyKeys(longest, longestWide);

        for (String tooLong : new String[] {longest + "x", longestWide + "\u4E2D"}) {
            assertThatThrownBy(() -> AttributeCodec.unsealed().encode(Map.of(tooLong, bytes("v")), ROW))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bytes long in modified UTF-8; a name may have at most 65,535");
        }
    }

    @Test
    void everyTruncationIsRefusedAsUnreadable() throws Exception {
        byte[] blob = AttributeCodec.unsealed().encode(Map.of("a", bytes("one"), "grüße", bytes("two")), ROW);
        for (int length = 0; length < blob.length; length++) {
            byte[] cut = Arrays.copyOf(blob, length);
            assertThatThrownBy(() -> AttributeCodec.unsealed().decode(cut, ROW))
                    .as("cut to %d of %d bytes", length, blob.length)
                    .isInstanceOf(InvalidObjectException.class);
        }
    }

    @Test
    void liesAboutCountsAndLengthsAndMalformedNamesAreNamed() {
        assertThatThrownBy(() -> AttributeCodec.layout(container(1_000_000)))
                .isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("count 1000000 does not fit");
        assertThatThrownBy(() -> AttributeCodec.layout(container(-1)))
                .isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("count -1 does not fit");
        assertThatThrownBy(() -> AttributeCodec.layout(container(1, 0, 1, 'a', 0x7F, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0)))
                .isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("attribute 'a' claims more bytes");
        assertThatThrownBy(() -> AttributeCodec.layout(container(1, 0, 1, 'a', -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0)))
                .isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("attribute 'a' claims more bytes");
        // 0xC0 opens a two-byte form that is not completed: not modified UTF-8.
        assertThatThrownBy(() -> AttributeCodec.layout(container(1, 0, 1, 0xC0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
                .isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("malformed name");
    }

    @Test
    void aCountAtTheMostTheLengthAllowsIsReadAndOneMoreIsNot() throws Exception {
        // One entry of an empty name and an empty value takes six bytes: the least any entry takes.
        assertThat(AttributeCodec.layout(container(1, 0, 0, 0, 0, 0, 0))).containsOnlyKeys("");
        assertThat(AttributeCodec.layout(container(2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
                .containsOnlyKeys("");
        assertThatThrownBy(() -> AttributeCodec.layout(container(2, 0, 0, 0, 0, 0, 0)))
                .isInstanceOf(InvalidObjectException.class)
                .hasMessageContaining("count 2 does not fit");
    }

    @Test
    void aRawZeroByteInANameIsReadAsDataInputStreamReadsIt() throws Exception {
        // writeUTF never writes a zero byte (it writes NUL as C0 80), but a forged row may hold one.
        Map<String, byte[]> read = AttributeCodec.layout(container(1, 0, 3, 'a', 0, 'b', 0, 0, 0, 1, 7));
        assertThat(read).containsOnlyKeys("a\u0000b");
        assertThat(read.get("a\u0000b")).containsExactly(7);
    }

    /**
     * Damaged containers, many at random: each is refused when the stream reading of the same layout refuses it,
     * and otherwise split into the very same names and bytes.
     */
    @Test
    void damagedContainersAreDecidedAsAStreamReadingOfTheLayoutDecides() throws Exception {
        Map<String, byte[]> written = new LinkedHashMap<>();
        written.put("user", bytes("alice"));
        written.put("grüße", bytes("two"));
        written.put("n", new byte[40]);
        byte[] blob = AttributeCodec.unsealed().encode(written, ROW);
        Random random = new Random(20261205);
        int refused = 0;
        int read = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] damaged = blob.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                int at = AttributeCodec.HEADER_BYTES + random.nextInt(damaged.length - AttributeCodec.HEADER_BYTES);
                damaged[at] = (byte) random.nextInt(256);
            }
            Map<String, byte[]> expected = byStream(damaged);
            if (expected == null) {
                assertThatThrownBy(() -> AttributeCodec.layout(damaged)).isInstanceOf(InvalidObjectException.class);
                refused++;
            } else {
                Map<String, byte[]> actual = AttributeCodec.layout(damaged);
                assertThat(actual.keySet()).isEqualTo(expected.keySet());
                expected.forEach((name, value) -> assertThat(actual.get(name)).isEqualTo(value));
                read++;
            }
        }
        // Both outcomes were reached, so the comparison covered each.
        assertThat(refused).isGreaterThan(1_000);
        assertThat(read).isGreaterThan(1_000);
    }

    /** The layout read through a {@code DataInputStream}, with the same bounds; null where it refuses the bytes. */
    private static Map<String, byte[]> byStream(byte[] blob) {
        int offset = AttributeCodec.HEADER_BYTES;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob, offset, blob.length - offset))) {
            int count = in.readInt();
            if (count < 0 || count > (blob.length - offset) / 6) {
                return null;
            }
            Map<String, byte[]> attributes = new HashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                int length = in.readInt();
                if (length < 0 || length > in.available()) {
                    return null;
                }
                attributes.put(name, in.readNBytes(length));
            }
            return attributes;
        } catch (IOException e) {
            return null;
        }
    }

    /** An unsealed container: its header, the count, then these bytes as they are. */
    private static byte[] container(int count, int... rest) {
        byte[] blob = new byte[AttributeCodec.HEADER_BYTES + 4 + rest.length];
        blob[0] = 'J';
        blob[1] = 'S';
        blob[2] = 'A';
        blob[3] = 1;
        for (int i = 0; i < 4; i++) {
            blob[AttributeCodec.HEADER_BYTES + i] = (byte) (count >>> (24 - 8 * i));
        }
        for (int i = 0; i < rest.length; i++) {
            blob[AttributeCodec.HEADER_BYTES + 4 + i] = (byte) rest[i];
        }
        return blob;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
