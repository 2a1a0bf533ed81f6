package io.github.jettysqlite.sessions.internal.attributes;

import java.io.InvalidObjectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * How session ids are kept in the table's {@code session_id} column. Plain: the id itself. Protected (with a key):
 * a keyed hash of the id, so that whoever reads the database, a backup or a migration target holds nothing a browser
 * could present as a cookie, and beside it, in {@code sealed_id}, the id encrypted (AES-256-GCM, bound to its row's
 * context and key), which the scavengers need to tell Jetty which sessions expired.
 *
 * <p>A protected table may still hold rows written before protection was switched on (the plain id) or under a key
 * since rotated out (an old key's hash): {@link #formerKeysOf} names where such a row of an id would be, so that a
 * store finding nothing under the current key can move it (and the {@code seal} command moves them all).
 */
public final class SessionIds {
    /** Ids kept as they are, by a store without keys. */
    public static final SessionIds PLAIN = new SessionIds(null, false);

    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

    /**
     * Prefix of every protected key: a character Jetty's ids never hold, so that a hash cannot be mistaken for an id
     * (nor an id forged to look like a hash collide with one).
     */
    static final String PROTECTED = "~";

    /** The store's keys; null without any. */
    private final AttributeSeal keys;
    /** Whether new rows are keyed by the id's hash (a current key, and protection on). */
    private final boolean protect;

    private SessionIds(AttributeSeal keys, boolean protect) {
        this.keys = keys;
        this.protect = protect;
    }

    /**
     * @param keys the store's keys; ids are protected when they include a current key
     * @param protect whether to protect ids at all
     */
    public static SessionIds of(AttributeSeal keys, boolean protect) {
        // A store with keys but protection off still finds rows that protecting nodes wrote (switching protection
        // on node by node, or back off): their hashes under its keys are where such rows are.
        return keys.verifies() ? new SessionIds(keys, protect && keys.seals()) : PLAIN;
    }

    /**
     * For tools that read rows and hold keys only to verify (no current key): opens sealed ids and names the hashes an
     * id may be stored under, but writes nothing.
     */
    public static SessionIds opening(AttributeSeal keys) {
        return new SessionIds(keys, false);
    }

    /** Every form of the id a row of it may be stored under: each accepted key's hash, then the plain id. */
    public List<String> anyKeyOf(String id) {
        List<String> all = new ArrayList<>();
        if (keys != null && keys.seals()) {
            all.add(PROTECTED + keys.idHash(id));
        }
        if (keys != null) {
            for (String hash : keys.formerIdHashes(id)) {
                all.add(PROTECTED + hash);
            }
        }
        all.add(id);
        return all;
    }

    public boolean protects() {
        return protect;
    }

    /** What the {@code session_id} column holds for this id in a row this store writes. */
    public String keyOf(String id) {
        return protect ? PROTECTED + keys.idHash(id) : id;
    }

    /**
     * Whether a row found under {@link #keyOf} of this id is the id's whatever its sealed id: always when protecting
     * (the key is a hash only the id gives); for a plain store, not when the presented id looks like a protected key,
     * which is then a hash read out of the table and matches only a row without a sealed id.
     */
    public boolean trustsCurrentKeyOf(String id) {
        return protect || !isProtectedKey(id);
    }

    /** Whether a {@code session_id} value is a protected key rather than an id. */
    public static boolean isProtectedKey(String key) {
        return key.startsWith(PROTECTED);
    }

    /**
     * Where a row of this id written before would be, newest first: under an old key's hash, then as the plain id;
     * none when ids are not protected. A presented id that looks like a protected key is never looked up as a plain
     * one: that is a hash read out of the table, and finding its row by it would hand the session to whoever read it.
     * (A plain row is also looked up only where its sealed id is NULL; see the store.)
     */
    public List<String> formerKeysOf(String id) {
        if (keys == null || isProtectedKey(id)) {
            // A hash-looking id is never hashed again into a lookup of old rows either: no id Jetty issues looks so.
            return List.of();
        }
        List<String> former = new ArrayList<>();
        if (!protect && keys.seals()) {
            former.add(PROTECTED + keys.idHash(id));
        }
        for (String hash : keys.formerIdHashes(id)) {
            former.add(PROTECTED + hash);
        }
        if (protect) {
            former.add(id);
        }
        return former;
    }

    /** The id encrypted for the {@code sealed_id} column of the row with this context and key; null when plain. */
    public String sealedId(String contextPath, String virtualHost, String key, String id) {
        if (!protect) {
            return null;
        }
        byte[] keyId = keys.currentKeyId();
        byte[] sealed = keys.encrypt(id.getBytes(StandardCharsets.UTF_8), associated(contextPath, virtualHost, key));
        byte[] out = Arrays.copyOf(keyId, keyId.length + sealed.length);
        System.arraycopy(sealed, 0, out, keyId.length, sealed.length);
        return ENCODE.encodeToString(out);
    }

    /**
     * The id of the row with this context, key and sealed id: the key itself for a plain row (no sealed id).
     *
     * @throws InvalidObjectException when the sealed id does not decrypt under an accepted key with this binding
     *     (altered, moved from another row, or sealed under a key this store does not hold)
     */
    public String idOf(String contextPath, String virtualHost, String key, String sealedId)
            throws InvalidObjectException {
        if (sealedId == null) {
            return key;
        }
        if (keys == null) {
            throw new InvalidObjectException("its id is sealed and this store has no attributeKey to open it with");
        }
        byte[] all;
        try {
            all = DECODE.decode(sealedId);
        } catch (IllegalArgumentException e) {
            throw new InvalidObjectException("its sealed id is not Base64");
        }
        if (all.length <= AttributeSeal.KEY_ID_BYTES) {
            throw new InvalidObjectException("its sealed id is truncated");
        }
        byte[] keyId = Arrays.copyOf(all, AttributeSeal.KEY_ID_BYTES);
        byte[] sealed = Arrays.copyOfRange(all, AttributeSeal.KEY_ID_BYTES, all.length);
        return new String(
                keys.decrypt(keyId, sealed, associated(contextPath, virtualHost, key)), StandardCharsets.UTF_8);
    }

    /** Binds a sealed id to its row: the context, the virtual host and the key column, length-prefixed. */
    private static byte[] associated(String contextPath, String virtualHost, String key) {
        StringBuilder binding = new StringBuilder("session id\0");
        for (String part : new String[] {contextPath, virtualHost, key}) {
            binding.append(part.length()).append(':').append(part);
        }
        return binding.toString().getBytes(StandardCharsets.UTF_8);
    }
}
