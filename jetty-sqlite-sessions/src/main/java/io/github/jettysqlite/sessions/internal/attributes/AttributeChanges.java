package io.github.jettysqlite.sessions.internal.attributes;

import java.util.Map;
import java.util.Set;

/**
 * What a store of a session changes in its attributes.
 *
 * @param serialized the attributes serialized for this store: every one, except those in {@code kept}
 * @param kept attributes neither set nor compared in place, to stay as the row holds them: their values, unserialized
 *     (a write takes their bytes from the row)
 * @param changed the attributes this request set or changed in place, by name, serialized
 * @param removed the names of attributes this request removed
 * @param set the names this request gave to {@code setAttribute} (set or removed on purpose)
 * @param before each attribute's fingerprint as this request loaded it; null when unknown
 * @param after each attribute's fingerprint as this store leaves the session's own attributes: those serialized now,
 *     and the kept ones as they were stored
 */
public record AttributeChanges(
        Map<String, byte[]> serialized,
        Map<String, Object> kept,
        Map<String, byte[]> changed,
        Set<String> removed,
        Set<String> set,
        AttributePrints before,
        AttributePrints after) {
    public boolean isEmpty() {
        return changed.isEmpty() && removed.isEmpty();
    }

    /**
     * This request's changes applied to the attributes as another writer left them. An attribute this request set
     * or removed with {@code setAttribute} replaces theirs whole (the later commit wins). An attribute found changed
     * only by comparing (in place, or merely serialized differently) is applied only where the other writer left it
     * as this request loaded it: otherwise their deliberate change or removal would be undone by what may be no
     * change at all. The rest stay as the other writer stored them.
     */
    public Map<String, byte[]> appliedTo(Map<String, byte[]> theirs) {
        for (Map.Entry<String, byte[]> e : changed.entrySet()) {
            if (set.contains(e.getKey()) || untouchedByThem(theirs, e.getKey())) {
                theirs.put(e.getKey(), e.getValue());
            }
        }
        for (String name : removed) {
            if (set.contains(name) || untouchedByThem(theirs, name)) {
                theirs.remove(name);
            }
        }
        return theirs;
    }

    /** Their bytes are the ones this request loaded (by fingerprint), or both lack the attribute. */
    private boolean untouchedByThem(Map<String, byte[]> theirs, String name) {
        boolean loaded = before != null && before.contains(name);
        byte[] now = theirs.get(name);
        return loaded ? now != null && before.matches(name, now) : now == null;
    }
}
