package io.github.jettysqlite.sessions.internal.attributes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The layout of the attributes column: each attribute serialized on its own, in one container, optionally sealed.
 *
 * <pre>
 * 'J' 'S' 'A' format                    format 1: unsealed, 2: sealed (key columns), 3: sealed (bound),
 *                                       4: sealed (bound) and each attribute encrypted
 * [key id (4 bytes) seal (32 bytes)]    sealed only: HMAC-SHA256 of the table name and the session's creation time
 *                                       (format 3), the key columns, the header and the rest
 * count (int), then count times:
 *   name (modified UTF-8, as DataOutput writes it), length (int), that many bytes: one Java serialization stream
 * </pre>
 *
 * <p>In format 4 each attribute's bytes are AES-256-GCM ciphertext (nonce, ciphertext, tag) under a key derived from
 * the sealing key, bound to the table, the row's key columns, its creation time and the attribute's name; the seal
 * over the whole container is checked first, and a failure to decrypt makes the row unreadable before any byte is
 * deserialized.
 *
 * <p>One stream per attribute, rather than one for the whole map as Jetty's own stores write, lets a write change one
 * attribute of a row without deserializing the others (two requests that set different attributes merge byte for
 * byte), lets the store tell which attribute a request changed in place, and bounds each stream's deserialization
 * by its own length. Rows written before this layout hold Jetty's single stream, which begins with the Java
 * serialization magic {@code AC ED}, never with {@code JSA}; they stay readable.
 */
public final class AttributeCodec {
    public static final int HEADER_BYTES = 4;
    private static final byte UNSEALED = 1;
    /** Sealed over the key columns only: still verified, and sealed again in format 3 on the row's next write. */
    private static final byte SEALED_KEY_ONLY = 2;
    /** Sealed over the table, the creation time and the key columns: what every write seals now. */
    private static final byte SEALED = 3;
    /** Sealed as format 3, each attribute's bytes encrypted. */
    private static final byte ENCRYPTED = 4;

    private static final int SEALED_PREFIX = HEADER_BYTES + AttributeSeal.KEY_ID_BYTES + AttributeSeal.MAC_BYTES;

    private final AttributeSeal seal;
    private final boolean acceptUnsealed;
    private final boolean encrypt;

    /**
     * @param seal the keys rows are sealed and verified with
     * @param acceptUnsealed whether a row without a seal is still read when keys are configured (rows written before
     *     sealing was switched on); it is sealed on its next write
     */
    public AttributeCodec(AttributeSeal seal, boolean acceptUnsealed) {
        this(seal, acceptUnsealed, false);
    }

    /**
     * @param encrypt whether attributes are encrypted as well as sealed (needs a sealing key)
     * @throws IllegalArgumentException when asked to encrypt without a key to do it with
     */
    public AttributeCodec(AttributeSeal seal, boolean acceptUnsealed, boolean encrypt) {
        if (encrypt && !seal.seals()) {
            throw new IllegalArgumentException("encrypting attributes needs an attributeKey");
        }
        this.seal = seal;
        this.acceptUnsealed = acceptUnsealed;
        this.encrypt = encrypt;
    }

    /** The attributes of a row that does not seal or verify anything. */
    public static AttributeCodec unsealed() {
        return new AttributeCodec(AttributeSeal.NONE, true);
    }

    /** True for a blob in Jetty's whole-map stream, as rows written before this layout hold. */
    public static boolean isJettyStream(byte[] blob) {
        return blob.length >= 2 && blob[0] == (byte) 0xAC && blob[1] == (byte) 0xED;
    }

    /** True when keys are configured, so that sealed rows are verified and unsealed ones are the exception. */
    public boolean verifies() {
        return seal.verifies();
    }

    /** True when rows written now are sealed. */
    public boolean seals() {
        return seal.seals();
    }

    /**
     * Checks that an unsealed row (Jetty's stream, or this layout without a seal) may be read.
     *
     * @throws InvalidObjectException when keys are configured and unsealed rows are refused
     */
    public void requireUnsealedAccepted() throws InvalidObjectException {
        if (seal.verifies() && !acceptUnsealed) {
            throw new InvalidObjectException("its attributes are not sealed, and this store refuses unsealed rows");
        }
    }

    /**
     * The column value for these serialized attributes in the given row, sealed when a key is configured. The column
     * is written straight into an array of its exact size: every write builds one, and going through a {@code
     * DataOutputStream} into a {@code ByteArrayOutputStream} and copying that out cost about a microsecond more per
     * write (measured with ten attributes, at 1 KiB and at 16 KiB).
     *
     * @throws IllegalArgumentException when an attribute's name is longer than its two length bytes can say
     */
    public byte[] encode(Map<String, byte[]> attributes, AttributeSeal.SessionKey row) {
        int count = attributes.size();
        byte[][] names = new byte[count][];
        byte[][] values = new byte[count][];
        int prefix = seal.seals() ? SEALED_PREFIX : HEADER_BYTES;
        long size = prefix + 4L;
        int i = 0;
        for (Map.Entry<String, byte[]> e : attributes.entrySet()) {
            names[i] = modifiedUtf8(e.getKey());
            values[i] = encrypt ? seal.encrypt(e.getValue(), associated(row, e.getKey())) : e.getValue();
            size += 2L + names[i].length + 4L + values[i].length;
            i++;
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(
                    "the session's attributes come to " + size + " bytes serialized, more than one column can hold");
        }
        byte[] blob = new byte[(int) size];
        blob[0] = 'J';
        blob[1] = 'S';
        blob[2] = 'A';
        blob[3] = encrypt ? ENCRYPTED : seal.seals() ? SEALED : UNSEALED;
        int at = putInt(blob, prefix, count);
        for (i = 0; i < count; i++) {
            blob[at++] = (byte) (names[i].length >>> 8);
            blob[at++] = (byte) names[i].length;
            System.arraycopy(names[i], 0, blob, at, names[i].length);
            at = putInt(blob, at + names[i].length, values[i].length);
            System.arraycopy(values[i], 0, blob, at, values[i].length);
            at += values[i].length;
        }
        if (seal.seals()) {
            System.arraycopy(seal.currentKeyId(), 0, blob, HEADER_BYTES, AttributeSeal.KEY_ID_BYTES);
            byte[] mac = seal.seal(row, blob, SEALED_PREFIX);
            System.arraycopy(mac, 0, blob, HEADER_BYTES + AttributeSeal.KEY_ID_BYTES, AttributeSeal.MAC_BYTES);
        }
        return blob;
    }

    /**
     * A name as {@code DataOutput.writeUTF} writes it, less its two length bytes (which {@link #name} reads back): an
     * ASCII name without NUL is its own bytes; any other character takes two or three bytes, NUL two.
     */
    static byte[] modifiedUtf8(String name) {
        int length = name.length();
        long bytes = 0;
        for (int i = 0; i < length; i++) {
            char c = name.charAt(i);
            bytes += c >= 0x0001 && c <= 0x007F ? 1 : c <= 0x07FF ? 2 : 3;
        }
        if (bytes > 0xFFFF) {
            throw new IllegalArgumentException("attribute name '" + name.substring(0, 40) + "...' is " + bytes
                    + " bytes long in modified UTF-8; a name may have at most 65,535");
        }
        if (bytes == length) {
            return name.getBytes(StandardCharsets.ISO_8859_1);
        }
        byte[] out = new byte[(int) bytes];
        int at = 0;
        for (int i = 0; i < length; i++) {
            char c = name.charAt(i);
            if (c >= 0x0001 && c <= 0x007F) {
                out[at++] = (byte) c;
            } else if (c <= 0x07FF) {
                out[at++] = (byte) (0xC0 | (c >> 6));
                out[at++] = (byte) (0x80 | (c & 0x3F));
            } else {
                out[at++] = (byte) (0xE0 | (c >> 12));
                out[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[at++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return out;
    }

    private static int putInt(byte[] blob, int at, int value) {
        blob[at] = (byte) (value >>> 24);
        blob[at + 1] = (byte) (value >>> 16);
        blob[at + 2] = (byte) (value >>> 8);
        blob[at + 3] = (byte) value;
        return at + 4;
    }

    /**
     * Verifies the seal, when the row has one, before anything else, then splits the container into each
     * attribute's serialized bytes. Nothing is deserialized here.
     *
     * @throws InvalidObjectException when the seal does not verify, an unsealed row is refused, or the container is
     *     malformed
     */
    public Decoded decode(byte[] blob, AttributeSeal.SessionKey row) throws InvalidObjectException {
        if (blob.length < HEADER_BYTES + 4 || blob[0] != 'J' || blob[1] != 'S' || blob[2] != 'A') {
            throw new InvalidObjectException("its attributes are in no format this store knows");
        }
        int offset;
        boolean current;
        if (blob[3] == SEALED || blob[3] == SEALED_KEY_ONLY || blob[3] == ENCRYPTED) {
            if (blob.length < SEALED_PREFIX + 4) {
                throw new InvalidObjectException("its sealed attributes are truncated");
            }
            byte[] keyId = Arrays.copyOfRange(blob, HEADER_BYTES, HEADER_BYTES + AttributeSeal.KEY_ID_BYTES);
            byte[] mac = Arrays.copyOfRange(blob, HEADER_BYTES + AttributeSeal.KEY_ID_BYTES, SEALED_PREFIX);
            String refused = seal.check(keyId, mac, row, blob[3] != SEALED_KEY_ONLY, blob, SEALED_PREFIX);
            if (refused != null) {
                throw new InvalidObjectException(refused);
            }
            if (blob[3] == ENCRYPTED) {
                Map<String, byte[]> plain = new HashMap<>();
                for (Map.Entry<String, byte[]> e : split(blob, SEALED_PREFIX).entrySet()) {
                    plain.put(e.getKey(), seal.decrypt(keyId, e.getValue(), associated(row, e.getKey())));
                }
                return new Decoded(plain, true, encrypt && seal.isCurrent(keyId));
            }
            offset = SEALED_PREFIX;
            current = blob[3] == SEALED && !encrypt && seal.isCurrent(keyId);
        } else if (blob[3] == UNSEALED) {
            requireUnsealedAccepted();
            offset = HEADER_BYTES;
            current = !seal.seals();
        } else {
            throw new InvalidObjectException("its attributes are in format " + blob[3] + ", newer than this store");
        }
        return new Decoded(split(blob, offset), blob[3] != UNSEALED, current);
    }

    /**
     * Each attribute's serialized bytes by name, read from the container's layout alone: no seal is checked and
     * nothing is deserialized, so this serves only to tell an operator the names and sizes.
     */
    public static Map<String, byte[]> layout(byte[] blob) throws InvalidObjectException {
        if (blob.length < HEADER_BYTES + 4 || blob[0] != 'J' || blob[1] != 'S' || blob[2] != 'A') {
            throw new InvalidObjectException("its attributes are in no format this store knows");
        }
        return split(blob, blob[3] == UNSEALED ? HEADER_BYTES : SEALED_PREFIX);
    }

    /** What an encrypted attribute is bound to: the row's table, key columns and creation time, and its name. */
    private static byte[] associated(AttributeSeal.SessionKey row, String name) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(row.table());
            out.writeUTF(row.contextPath());
            out.writeUTF(row.virtualHost());
            out.writeUTF(row.id());
            out.writeLong(row.created());
            out.writeUTF(name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen in memory", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads the container's entries straight from the array: a row is split on every load, and going through a
     * {@code DataInputStream} cost a twentieth of a load of ten attributes.
     */
    private static Map<String, byte[]> split(byte[] blob, int offset) throws InvalidObjectException {
        int at = need(blob, offset, 4);
        int count = intAt(blob, offset);
        // Each entry takes at least six bytes, so a count the blob cannot hold is a lie, not a size to allocate.
        if (count < 0 || count > (blob.length - offset) / 6) {
            throw new InvalidObjectException("its attribute count " + count + " does not fit its length");
        }
        // Sized for the count only up to a point: a forged row may claim a million empty entries under one name.
        Map<String, byte[]> attributes = new HashMap<>(Math.min(count, 64) * 2);
        for (int i = 0; i < count; i++) {
            int nameAt = need(blob, at, 2);
            int nameLength = ((blob[at] & 0xFF) << 8) | (blob[at + 1] & 0xFF);
            at = need(blob, nameAt, nameLength);
            String name = name(blob, nameAt - 2, nameLength);
            int valueAt = need(blob, at, 4);
            int length = intAt(blob, at);
            if (length < 0 || length > blob.length - valueAt) {
                throw new InvalidObjectException("attribute '" + name + "' claims more bytes than the row holds");
            }
            at = valueAt + length;
            attributes.put(name, Arrays.copyOfRange(blob, valueAt, at));
        }
        return attributes;
    }

    /** The offset just past {@code bytes} more bytes from {@code at}, once the blob is known to hold them. */
    private static int need(byte[] blob, int at, int bytes) throws InvalidObjectException {
        if (blob.length - at < bytes) {
            throw new InvalidObjectException("its attributes are truncated");
        }
        return at + bytes;
    }

    private static int intAt(byte[] blob, int at) {
        return ((blob[at] & 0xFF) << 24)
                | ((blob[at + 1] & 0xFF) << 16)
                | ((blob[at + 2] & 0xFF) << 8)
                | (blob[at + 3] & 0xFF);
    }

    /**
     * The name written by {@code DataOutput.writeUTF} at {@code lengthAt} (its two length bytes, then its bytes): an
     * ASCII name, as attribute names nearly always are, is the same in modified UTF-8 and read directly; any other
     * is read by {@code DataInputStream}, which knows the modified form.
     */
    private static String name(byte[] blob, int lengthAt, int length) throws InvalidObjectException {
        int from = lengthAt + 2;
        boolean ascii = true;
        for (int i = from; i < from + length && ascii; i++) {
            ascii = blob[i] > 0;
        }
        if (ascii) {
            return new String(blob, from, length, StandardCharsets.ISO_8859_1);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob, lengthAt, length + 2))) {
            return in.readUTF();
        } catch (IOException e) {
            throw new InvalidObjectException("its attributes hold a malformed name: " + e);
        }
    }

    /**
     * A row's attributes, each still serialized.
     *
     * @param attributes each attribute's own serialization stream, by name
     * @param sealed whether the row carried a seal (that verified)
     * @param current whether the row is as a write would store it now: sealed in the current format under the current
     *     key when the store seals, unsealed when it does not; a row that is not is written again on its next store of
     *     any kind, so that a key rotation or the switch to sealing completes without attribute changes
     */
    public record Decoded(Map<String, byte[]> attributes, boolean sealed, boolean current) {}
}
