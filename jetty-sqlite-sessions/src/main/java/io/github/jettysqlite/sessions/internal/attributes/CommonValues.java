package io.github.jettysqlite.sessions.internal.attributes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectOutputStream;
import java.io.UTFDataFormatException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The attribute streams of the values sessions hold most (strings, integers, longs, booleans, byte arrays) written
 * and read without an object stream, byte for byte as {@link AttributeSerializer} writes them through one: the same
 * bytes go to the table either way, so nodes with and without this shortcut read each other's rows. Setting up an
 * object stream costs more than reading such a value, and a session of ten attributes sets up ten.
 *
 * <p>The fixed parts of each form are not spelled here: they are taken, when this class loads, from what {@link
 * ObjectOutputStream} writes for a sample value, and a stream is read here only when it matches them exactly;
 * anything else goes to the object stream. An object stream never shows a string to the filter, so strings are read
 * here under any filter; numbers, booleans and byte arrays only when the caller knows its filter cannot refuse them
 * (the library's default, with nothing JVM-wide added), and a byte array's length still counts against the row's heap
 * budget through the filter.
 */
final class CommonValues {
    /** What {@link #read} answers for a stream that is not one of the common forms. */
    static final Object NOT_COMMON = new Object();

    /** Where the server-class flag sits: after the stream header and the block-data marker and length. */
    private static final int FLAG_AT = 6;

    private static final byte[] STRING = prefixOf("", 2);
    private static final byte[] INTEGER = prefixOf(0, 4);
    private static final byte[] LONG = prefixOf(0L, 8);
    private static final byte[] BOOLEAN = prefixOf(false, 1);
    private static final byte[] BYTES = prefixOf(new byte[0], 4);

    private CommonValues() {}

    /** The attribute stream of a common value, or null for any other value. */
    static byte[] write(Object value, boolean serverClass) {
        byte[] stream;
        if (value instanceof String s) {
            stream = string(s);
            if (stream == null) {
                return null;
            }
        } else if (value instanceof Integer i) {
            stream = withTail(INTEGER, 4);
            putInt(stream, INTEGER.length, i);
        } else if (value instanceof Long l) {
            stream = withTail(LONG, 8);
            putInt(stream, LONG.length, (int) (l >>> 32));
            putInt(stream, LONG.length + 4, (int) (long) l);
        } else if (value instanceof Boolean b) {
            stream = withTail(BOOLEAN, 1);
            stream[BOOLEAN.length] = (byte) (b ? 1 : 0);
        } else if (value instanceof byte[] array) {
            stream = withTail(BYTES, 4 + array.length);
            putInt(stream, BYTES.length, array.length);
            System.arraycopy(array, 0, stream, BYTES.length + 4, array.length);
        } else {
            return null;
        }
        stream[FLAG_AT] = (byte) (serverClass ? 1 : 0);
        return stream;
    }

    /**
     * The value of a stream in one of the common forms; {@link #NOT_COMMON} for any other stream, and for numbers,
     * booleans and byte arrays unless {@code beyondStrings}.
     *
     * @throws InvalidClassException when the filter refuses a byte array's length (the row's heap budget spent)
     */
    static Object read(byte[] stream, ObjectInputFilter filter, boolean beyondStrings) throws IOException {
        if (matches(stream, STRING)
                && stream.length >= STRING.length + 2
                && stream.length == STRING.length + 2 + unsignedShort(stream, STRING.length)) {
            return utf(stream, STRING.length);
        }
        if (!beyondStrings) {
            return NOT_COMMON;
        }
        if (matches(stream, INTEGER) && stream.length == INTEGER.length + 4) {
            return getInt(stream, INTEGER.length);
        }
        if (matches(stream, LONG) && stream.length == LONG.length + 8) {
            return ((long) getInt(stream, LONG.length) << 32) | (getInt(stream, LONG.length + 4) & 0xFFFFFFFFL);
        }
        if (matches(stream, BOOLEAN) && stream.length == BOOLEAN.length + 1 && (stream[BOOLEAN.length] & 0xFE) == 0) {
            return stream[BOOLEAN.length] != 0;
        }
        if (matches(stream, BYTES) && stream.length >= BYTES.length + 4) {
            int length = getInt(stream, BYTES.length);
            if (length >= 0 && stream.length == BYTES.length + 4 + length) {
                allow(filter, BYTES.length + 4, length);
                return Arrays.copyOfRange(stream, BYTES.length + 4, stream.length);
            }
        }
        return NOT_COMMON;
    }

    /** A string's stream when its modified UTF-8 form fits the short form (at most 65,535 bytes), else null. */
    private static byte[] string(String s) {
        int length = s.length();
        if (length > 0xFFFF) {
            // Its modified UTF-8 form is longer still: the object stream writes it in the long form.
            return null;
        }
        if (isAscii(s)) {
            byte[] stream = withTail(STRING, 2 + length);
            stream[STRING.length] = (byte) (length >>> 8);
            stream[STRING.length + 1] = (byte) length;
            s.getBytes(0, length, stream, STRING.length + 2);
            return stream;
        }
        ByteArrayOutputStream utf = new ByteArrayOutputStream(STRING.length + length * 3);
        utf.write(STRING, 0, STRING.length);
        try {
            new DataOutputStream(utf).writeUTF(s);
        } catch (UTFDataFormatException tooLong) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return utf.toByteArray();
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            // NUL is written as two bytes in modified UTF-8.
            if (c == 0 || c > 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static String utf(byte[] stream, int at) throws IOException {
        int length = unsignedShort(stream, at);
        boolean ascii = true;
        for (int i = at + 2; i < at + 2 + length && ascii; i++) {
            ascii = stream[i] > 0;
        }
        if (ascii) {
            return new String(stream, at + 2, length, StandardCharsets.ISO_8859_1);
        }
        return DataInputStream.readUTF(new DataInputStream(new ByteArrayInputStream(stream, at, length + 2)));
    }

    /**
     * Asks the filter about a byte array as an object stream would before allocating it, failing as it would.
     *
     * @param streamBytes how much of the stream the object stream has read when it asks: all but the elements
     */
    private static void allow(ObjectInputFilter filter, long streamBytes, long arrayLength)
            throws InvalidClassException {
        ObjectInputFilter.Status status;
        try {
            status = filter.checkInput(new Info(byte[].class, arrayLength, streamBytes));
        } catch (RuntimeException e) {
            throw (InvalidClassException) new InvalidClassException("[B: filter failed").initCause(e);
        }
        if (status == null || status == ObjectInputFilter.Status.REJECTED) {
            // As the JDK reports a rejection: naming no class, so that it never reads as a class this node lacks.
            throw new InvalidClassException("[B: filter status: " + status);
        }
    }

    /** What the object stream tells a filter about a class at the top of a stream. */
    private record Info(Class<?> serialClass, long arrayLength, long streamBytes)
            implements ObjectInputFilter.FilterInfo {
        @Override
        public long depth() {
            return 1;
        }

        @Override
        public long references() {
            return 1;
        }
    }

    private static boolean matches(byte[] stream, byte[] prefix) {
        if (stream.length < prefix.length || (stream[FLAG_AT] & 0xFE) != 0) {
            return false;
        }
        return Arrays.equals(stream, 0, FLAG_AT, prefix, 0, FLAG_AT)
                && Arrays.equals(stream, FLAG_AT + 1, prefix.length, prefix, FLAG_AT + 1, prefix.length);
    }

    private static byte[] withTail(byte[] prefix, int tail) {
        return Arrays.copyOf(prefix, prefix.length + tail);
    }

    private static int unsignedShort(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static int getInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    private static void putInt(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 24);
        b[at + 1] = (byte) (value >>> 16);
        b[at + 2] = (byte) (value >>> 8);
        b[at + 3] = (byte) value;
    }

    /**
     * What the object stream writes for the sample, less its last {@code valueBytes} (the value itself, or the empty
     * string's length): the fixed part every stream of that type starts with.
     */
    private static byte[] prefixOf(Object sample, int valueBytes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeBoolean(false);
            out.writeObject(sample);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] whole = bytes.toByteArray();
        return Arrays.copyOf(whole, whole.length - valueBytes);
    }
}
