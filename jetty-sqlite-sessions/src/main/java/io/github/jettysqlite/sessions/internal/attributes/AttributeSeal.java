package io.github.jettysqlite.sessions.internal.attributes;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret keys that seal attribute blobs: an HMAC-SHA256 over the blob and the key columns of its row, checked
 * before a single byte is deserialized, so that a row written by anyone but a store holding the key (a shared
 * database account, SQL injection elsewhere, a foreign backup put back, a blob copied to another session) never
 * reaches {@code readObject}.
 *
 * <p>Keys are named, never given: {@code env:NAME} reads an environment variable, {@code file:PATH} a file, and
 * the text found there (trimmed, at least {@value #MIN_KEY_BYTES} bytes) is the key. Messages name where a key
 * comes from and never what it is. The current key seals every write and verifies; old keys only verify, so a
 * key can be rotated without making the rows sealed under the previous one unreadable.
 */
public final class AttributeSeal {
    public static final int MIN_KEY_BYTES = 32;
    public static final int KEY_ID_BYTES = 4;
    public static final int MAC_BYTES = 32;

    /** Seals nothing and verifies nothing: the setting when no key is configured. */
    public static final AttributeSeal NONE = new AttributeSeal(null, List.of());

    private final Key current;
    private final List<Key> accepted;

    private AttributeSeal(Key current, List<Key> accepted) {
        this.current = current;
        this.accepted = accepted;
    }

    /**
     * Reads the keys now, so that a missing variable or unreadable file stops start-up.
     *
     * @param currentKey where the sealing key is ({@code env:NAME} or {@code file:PATH}), or null to seal nothing
     * @param oldKeys where keys that still verify are, separated by commas; null or empty for none
     * @throws IllegalArgumentException naming the reference that cannot be read, never the key itself
     */
    public static AttributeSeal of(String currentKey, String oldKeys) {
        Key current = isBlank(currentKey) ? null : Key.read(currentKey.trim());
        List<Key> accepted = new ArrayList<>();
        if (current != null) {
            accepted.add(current);
        }
        if (!isBlank(oldKeys)) {
            for (String reference : oldKeys.split(",")) {
                if (!reference.isBlank()) {
                    accepted.add(Key.read(reference.trim()));
                }
            }
        }
        return accepted.isEmpty() ? NONE : new AttributeSeal(current, List.copyOf(accepted));
    }

    /** True when new blobs are sealed. */
    public boolean seals() {
        return current != null;
    }

    /** True when some key can verify a sealed blob. */
    public boolean verifies() {
        return !accepted.isEmpty();
    }

    /** The identifier of the sealing key, written beside each seal so a reader knows which key to check with. */
    public byte[] currentKeyId() {
        return current.id.clone();
    }

    /** The seal of {@code blob[from..]} as stored in the row with the given key columns, under the current key. */
    public byte[] seal(SessionKey row, byte[] blob, int from) {
        return current.mac(row, true, blob, from);
    }

    /**
     * Encrypts one attribute's bytes under the current key (AES-256-GCM, a fresh random 12-byte nonce, the 16-byte
     * tag appended): nonce, then ciphertext and tag. {@code associated} binds it to its row and name.
     */
    public byte[] encrypt(byte[] plain, byte[] associated) {
        return current.encrypt(plain, associated);
    }

    /**
     * Decrypts what {@link #encrypt} wrote under the key {@code keyId} names.
     *
     * @throws InvalidObjectException when no accepted key has that id, or the bytes or their binding were altered
     */
    public byte[] decrypt(byte[] keyId, byte[] sealed, byte[] associated) throws InvalidObjectException {
        for (Key key : accepted) {
            if (Arrays.equals(key.id, keyId)) {
                return key.decrypt(sealed, associated);
            }
        }
        throw new InvalidObjectException("it is encrypted with a key this store does not hold");
    }

    /**
     * The keyed hash of a session id under the current key (HMAC-SHA256 under a key derived for ids alone), as
     * URL-safe Base64: what a table with protected ids keeps in place of the id.
     */
    public String idHash(String id) {
        return current.idHash(id);
    }

    /**
     * The keyed hashes of a session id under each accepted key but the current one (every accepted key when there is
     * no current one): where rows of before a rotation are.
     */
    public List<String> formerIdHashes(String id) {
        List<String> hashes = new ArrayList<>();
        for (Key key : accepted) {
            if (key != current) {
                hashes.add(key.idHash(id));
            }
        }
        return hashes;
    }

    /** True when {@code keyId} names the key new blobs are sealed with. */
    public boolean isCurrent(byte[] keyId) {
        return current != null && Arrays.equals(current.id, keyId);
    }

    /**
     * Checks a seal against the key named by {@code keyId}, in constant time.
     *
     * @return null when it verifies, otherwise why not (for the unreadable-session message)
     */
    public String check(byte[] keyId, byte[] seal, SessionKey row, boolean bound, byte[] blob, int from) {
        for (Key key : accepted) {
            if (Arrays.equals(key.id, keyId)) {
                return MessageDigest.isEqual(key.mac(row, bound, blob, from), seal)
                        ? null
                        : "its seal does not match its content and row (forged, altered or copied from another"
                                + " session)";
            }
        }
        return accepted.isEmpty()
                ? "it is sealed and this store has no attributeKey to verify it with"
                : "it is sealed with a key this store does not accept";
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * What a seal covers, so that a blob moved anywhere else no longer verifies: the row's key columns, and (in seals
     * written since layout 3 of the container) the table and the session's creation time. The creation time makes
     * a seal belong to one session, not to its id: a blob recorded before a logout does not verify in a new session
     * given the same id, nor a privileged blob written back into the same session under a later creation time.
     *
     * @param created the session's creation time, epoch milliseconds, as the row's {@code created_ms} holds it
     */
    public record SessionKey(String table, String contextPath, String virtualHost, String id, long created) {}

    private static final class Key {
        private static final int NONCE_BYTES = 12;
        private static final int TAG_BITS = 128;
        private static final SecureRandom NONCES = new SecureRandom();
        /**
         * One cipher object per thread, initialised afresh (key and nonce) for every use: looking a cipher up by name
         * costs more than the encryption of a short value itself.
         */
        private static final ThreadLocal<Cipher> CIPHERS = ThreadLocal.withInitial(() -> {
            try {
                return Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is not available in this JVM", e);
            }
        });

        private final byte[] id;
        private final SecretKeySpec secret;
        private final ThreadLocal<Mac> macs;
        private final SecretKeySpec encryption;
        private final ThreadLocal<Mac> idMacs;

        private Key(byte[] material) {
            this.id = Arrays.copyOf(sha256(material), KEY_ID_BYTES);
            this.secret = new SecretKeySpec(material, "HmacSHA256");
            this.macs = ThreadLocal.withInitial(this::newMac);
            // A key of its own for encryption, derived from the material, so the MAC key never doubles as a cipher key.
            Mac derive = newMac();
            this.encryption = new SecretKeySpec(
                    derive.doFinal("jetty-sqlite-sessions attribute encryption v1".getBytes(StandardCharsets.UTF_8)),
                    "AES");
            // And one for hashing session ids, so that an id's hash reveals nothing about the seals or the cipher.
            SecretKeySpec ids = new SecretKeySpec(
                    newMac().doFinal("jetty-sqlite-sessions session id v1".getBytes(StandardCharsets.UTF_8)),
                    "HmacSHA256");
            this.idMacs = ThreadLocal.withInitial(() -> newMac(ids));
        }

        String idHash(String id) {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(idMacs.get().doFinal(id.getBytes(StandardCharsets.UTF_8)));
        }

        byte[] encrypt(byte[] plain, byte[] associated) {
            byte[] nonce = new byte[NONCE_BYTES];
            NONCES.nextBytes(nonce);
            try {
                Cipher cipher = CIPHERS.get();
                cipher.init(Cipher.ENCRYPT_MODE, encryption, new GCMParameterSpec(TAG_BITS, nonce));
                cipher.updateAAD(associated);
                byte[] out = new byte[NONCE_BYTES + cipher.getOutputSize(plain.length)];
                System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
                cipher.doFinal(plain, 0, plain.length, out, NONCE_BYTES);
                return out;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is not available in this JVM", e);
            }
        }

        byte[] decrypt(byte[] sealed, byte[] associated) throws InvalidObjectException {
            if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
                throw new InvalidObjectException("an encrypted attribute is truncated");
            }
            try {
                Cipher cipher = CIPHERS.get();
                cipher.init(Cipher.DECRYPT_MODE, encryption, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
                cipher.updateAAD(associated);
                return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
            } catch (javax.crypto.AEADBadTagException e) {
                throw new InvalidObjectException("an encrypted attribute does not decrypt (altered, or moved)");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is not available in this JVM", e);
            }
        }

        static Key read(String reference) {
            String text;
            if (reference.startsWith("env:")) {
                String variable = reference.substring(4);
                text = System.getenv(variable);
                if (text == null || text.isBlank()) {
                    throw new IllegalArgumentException("the environment variable " + variable + " is not set");
                }
            } else if (reference.startsWith("file:")) {
                Path file = Path.of(reference.substring(5));
                try {
                    text = Files.readString(file, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot read the key file " + file + ": "
                            + e.getClass().getSimpleName());
                }
            } else {
                throw new IllegalArgumentException("a key is named as env:VARIABLE or file:PATH, never written out");
            }
            byte[] material = text.strip().getBytes(StandardCharsets.UTF_8);
            if (material.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("the key in " + reference + " is shorter than " + MIN_KEY_BYTES
                        + " bytes; make one with: openssl rand -base64 32");
            }
            return new Key(material);
        }

        /** {@code bound}: the table and the creation time are covered too (seals written since format 3). */
        byte[] mac(SessionKey row, boolean bound, byte[] blob, int from) {
            Mac mac = macs.get();
            if (bound) {
                update(mac, row.table());
                mac.update(
                        ByteBuffer.allocate(Long.BYTES).putLong(row.created()).array());
            }
            update(mac, row.contextPath());
            update(mac, row.virtualHost());
            update(mac, row.id());
            mac.update(blob, 0, AttributeCodec.HEADER_BYTES);
            mac.update(blob, from, blob.length - from);
            return mac.doFinal();
        }

        /** Length-prefixed, so that no two different key columns feed the MAC the same bytes. */
        private static void update(Mac mac, String value) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            mac.update(new byte[] {
                (byte) (bytes.length >>> 24),
                (byte) (bytes.length >>> 16),
                (byte) (bytes.length >>> 8),
                (byte) bytes.length
            });
            mac.update(bytes);
        }

        private Mac newMac() {
            return newMac(secret);
        }

        private static Mac newMac(SecretKeySpec key) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
            }
        }

        private static byte[] sha256(byte[] material) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(material);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA-256 is not available in this JVM", e);
            }
        }
    }
}
