package io.github.jettysqlite.sessions.internal.attributes;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;

/**
 * What the store remembers of the attributes a row held, per attribute: its name and a 128-bit fingerprint of its
 * serialized bytes, in place of the bytes themselves. A session held in a cache keeps one of these, so it is kept
 * compact: the names in one sorted array, shared with every session of the store holding the same names ({@link
 * SharedNames}), and the fingerprints side by side in one {@code long[]}.
 *
 * <p>A fingerprint stands in for a byte comparison, both to find an attribute changed in place and, in a merge, to
 * tell whether another writer left an attribute as this request loaded it. An application may let a user choose what
 * an attribute holds, so a fingerprint must not be forgeable: a user who could make a changed attribute print as the
 * old one would have the change dropped. The fingerprint is therefore SHA-256 keyed with a random block drawn once per
 * process, truncated to 128 bits: nobody outside the process knows the key, so no collision can be searched for
 * offline, and a blind guess succeeds with probability 2^-128. Fingerprints are only ever compared within the process
 * that made them. (Measured on the development machine: about 0.6 µs per KiB plus 0.1 µs per attribute, as much as
 * serializing the attribute costs; HMAC-SHA256 costs 0.2 µs more per attribute for no gain here.)
 */
public final class AttributePrints {
    private static final MessageDigest KEYED = keyedDigest();

    private final String[] names;
    /** Two longs per attribute, in the order of {@link #names}. */
    private final long[] prints;

    AttributePrints(String[] names, long[] prints) {
        this.names = names;
        this.prints = prints;
    }

    /** The names and fingerprints of these serialized attributes; the names array shared when it can be. */
    static AttributePrints of(Map<String, byte[]> serialized, SharedNames shared) {
        String[] names = sortedNames(serialized.keySet().toArray(new String[0]), shared);
        long[] prints = new long[names.length * 2];
        for (int i = 0; i < names.length; i++) {
            fingerprint(serialized.get(names[i]), prints, i * 2);
        }
        return new AttributePrints(names, prints);
    }

    /** These names with these fingerprints (each as {@link #fingerprint} gives it). */
    static AttributePrints ofPrints(Map<String, long[]> printed, SharedNames shared) {
        String[] names = sortedNames(printed.keySet().toArray(new String[0]), shared);
        long[] prints = new long[names.length * 2];
        for (int i = 0; i < names.length; i++) {
            long[] print = printed.get(names[i]);
            prints[i * 2] = print[0];
            prints[i * 2 + 1] = print[1];
        }
        return new AttributePrints(names, prints);
    }

    /** The fingerprint of these bytes, as two longs. */
    public static long[] fingerprint(byte[] serialized) {
        long[] print = new long[2];
        fingerprint(serialized, print, 0);
        return print;
    }

    private static void fingerprint(byte[] serialized, long[] into, int at) {
        MessageDigest digest;
        try {
            // The state after the key block, copied, so that the key costs nothing per attribute.
            digest = (MessageDigest) KEYED.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest cannot be copied", e);
        }
        byte[] hash = digest.digest(serialized);
        into[at] = toLong(hash, 0);
        into[at + 1] = toLong(hash, 8);
    }

    public int size() {
        return names.length;
    }

    public boolean contains(String name) {
        return Arrays.binarySearch(names, name) >= 0;
    }

    /** True when the attribute is here with this fingerprint. */
    public boolean matches(String name, long[] print) {
        int i = Arrays.binarySearch(names, name);
        return i >= 0 && prints[i * 2] == print[0] && prints[i * 2 + 1] == print[1];
    }

    /** True when the attribute is here and these bytes are the ones it was printed from. */
    public boolean matches(String name, byte[] serialized) {
        return contains(name) && matches(name, fingerprint(serialized));
    }

    /** The fingerprint of the attribute of this name; it must be here. */
    long[] printOf(String name) {
        int i = Arrays.binarySearch(names, name);
        return new long[] {prints[i * 2], prints[i * 2 + 1]};
    }

    /** The names, for the caller to read; not to be changed. */
    String[] names() {
        return names;
    }

    long[] prints() {
        return prints;
    }

    private static String[] sortedNames(String[] names, SharedNames shared) {
        Arrays.sort(names);
        return shared.shared(names);
    }

    private static long toLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    private static MessageDigest keyedDigest() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            // One whole input block of key, so that the state after it is a keyed starting point.
            byte[] key = new byte[64];
            new SecureRandom().nextBytes(key);
            digest.update(key);
            return digest;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JDK provides no SHA-256", e);
        }
    }
}
