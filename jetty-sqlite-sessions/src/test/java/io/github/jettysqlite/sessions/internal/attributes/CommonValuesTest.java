package io.github.jettysqlite.sessions.internal.attributes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The shortcut for common values writes exactly the bytes an object stream writes, and reads them back as one would,
 * including what the filter decides, so rows stay the same whichever node wrote them.
 */
class CommonValuesTest {
    private static final ObjectInputFilter ALLOW_ALL = info -> ObjectInputFilter.Status.UNDECIDED;

    private static List<Object> commonValues() {
        byte[] random = new byte[792];
        new Random(7).nextBytes(random);
        List<Object> values = new ArrayList<>(List.of(
                "",
                "alice",
                "Grüße, 世界",
                "a\u0000b",
                "emoji \uD83D\uDE00 outside the basic plane",
                "x".repeat(0xFFFF),
                "é".repeat(0x7FFF),
                0,
                -1,
                Integer.MIN_VALUE,
                Integer.MAX_VALUE,
                0L,
                Long.MIN_VALUE,
                Long.MAX_VALUE,
                1234567890123L,
                true,
                false,
                new byte[0],
                random));
        return values;
    }

    @Test
    void writesWhatAnObjectStreamWrites() throws Exception {
        for (Object value : commonValues()) {
            for (boolean server : new boolean[] {false, true}) {
                assertThat(CommonValues.write(value, server))
                        .as("%s (server class %s)", describe(value), server)
                        .isEqualTo(objectStream(value, server));
            }
        }
    }

    @Test
    void readsWhatAnObjectStreamWrote() throws Exception {
        for (Object value : commonValues()) {
            Object read = CommonValues.read(objectStream(value, false), ALLOW_ALL, true);
            if (value instanceof byte[] bytes) {
                assertThat((byte[]) read).isEqualTo(bytes);
            } else {
                assertThat(read).as(describe(value)).isEqualTo(value);
            }
        }
    }

    @Test
    void leavesEverythingElseToTheObjectStream() throws Exception {
        String tooLong = "y".repeat(0x10000);
        assertThat(CommonValues.write(tooLong, false)).isNull();
        assertThat(CommonValues.write(new ArrayList<>(List.of("a")), false)).isNull();
        assertThat(CommonValues.write(new int[] {1}, false)).isNull();
        assertThat(CommonValues.write('c', false)).isNull();

        for (Object other : List.of(tooLong, new ArrayList<>(List.of("a")), new int[] {1}, 'c', 1.5d)) {
            assertThat(CommonValues.read(objectStream(other, false), ALLOW_ALL, true))
                    .as(describe(other))
                    .isSameAs(CommonValues.NOT_COMMON);
        }
    }

    @Test
    void aStreamThatIsNotExactlyACommonFormIsLeftToTheObjectStream() throws Exception {
        byte[] integer = objectStream(42, false);
        assertThat(CommonValues.read(Arrays.copyOf(integer, integer.length - 1), ALLOW_ALL, true))
                .isSameAs(CommonValues.NOT_COMMON);
        assertThat(CommonValues.read(Arrays.copyOf(integer, integer.length + 1), ALLOW_ALL, true))
                .isSameAs(CommonValues.NOT_COMMON);
        byte[] flagged = integer.clone();
        flagged[6] = 2;
        assertThat(CommonValues.read(flagged, ALLOW_ALL, true)).isSameAs(CommonValues.NOT_COMMON);

        byte[] string = objectStream("alice", false);
        byte[] lying = string.clone();
        lying[9] = 9; // a length past the end
        assertThat(CommonValues.read(lying, ALLOW_ALL, true)).isSameAs(CommonValues.NOT_COMMON);

        byte[] bytes = objectStream(new byte[] {1, 2, 3}, false);
        byte[] longer = bytes.clone();
        longer[longer.length - 4] = 9; // declares four more bytes than there are
        assertThat(CommonValues.read(longer, ALLOW_ALL, true)).isSameAs(CommonValues.NOT_COMMON);
    }

    @Test
    void onlyStringsAreReadPastAFilterThatCouldRefuseTheRest() throws Exception {
        assertThat(CommonValues.read(objectStream("alice", false), ALLOW_ALL, false))
                .isEqualTo("alice");
        for (Object value : List.of(42, 42L, true, new byte[] {1})) {
            assertThat(CommonValues.read(objectStream(value, false), ALLOW_ALL, false))
                    .as(describe(value))
                    .isSameAs(CommonValues.NOT_COMMON);
        }
        assertThat(DeserializationFilter.allowsCommonValues(DeserializationFilter.DEFAULT_PATTERN))
                .isTrue();
        assertThat(DeserializationFilter.allowsCommonValues("java.lang.*;!*")).isFalse();
    }

    @Test
    void aByteArraysLengthIsStillPutToTheFilter() throws Exception {
        ObjectInputFilter shortArrays = ObjectInputFilter.Config.createFilter("maxarray=10");
        assertThatThrownBy(() -> CommonValues.read(objectStream(new byte[11], false), shortArrays, true))
                .isInstanceOf(InvalidClassException.class);
        assertThat((byte[]) CommonValues.read(objectStream(new byte[10], false), shortArrays, true))
                .hasSize(10);

        ObjectInputFilter failing = info -> {
            throw new IllegalStateException("a broken filter");
        };
        assertThatThrownBy(() -> CommonValues.read(objectStream(new byte[1], false), failing, true))
                .isInstanceOf(InvalidClassException.class);
        ObjectInputFilter undecidable = info -> null;
        assertThatThrownBy(() -> CommonValues.read(objectStream(new byte[1], false), undecidable, true))
                .isInstanceOf(InvalidClassException.class);
    }

    @Test
    void theSerializerGoesThroughTheFilterItIsGiven() throws Exception {
        AttributeSerializer serializer =
                new AttributeSerializer(ObjectInputFilter.Config.createFilter("!java.lang.Boolean"));

        assertThat(serializer.deserialize(serializer.serialize("kept"))).isEqualTo("kept");
        byte[] flag = serializer.serialize(true);
        assertThatThrownBy(() -> serializer.deserialize(flag)).isInstanceOf(InvalidClassException.class);
    }

    private static byte[] objectStream(Object value, boolean server) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeBoolean(server);
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    private static String describe(Object value) {
        String text = value instanceof byte[] b ? "byte[" + b.length + "]" : String.valueOf(value);
        return value.getClass().getSimpleName() + " " + (text.length() > 40 ? text.substring(0, 40) + "…" : text);
    }
}
