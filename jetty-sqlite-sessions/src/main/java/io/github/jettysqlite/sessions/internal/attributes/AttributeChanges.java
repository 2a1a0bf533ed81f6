package io.github.jettysqlite.sessions.internal.attributes;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * What a store of a session changes in its attributes, each attribute serialized.
 *
 * @param all every attribute the session holds now, as it should be stored when nobody else wrote meanwhile
 * @param changed the attributes this request set or changed in place, by name
 * @param removed the names of attributes this request removed
 * @param set the names this request gave to {@code setAttribute} (set or removed on purpose)
 * @param before each attribute's bytes as this request loaded them; empty when unknown
 */
public record AttributeChanges(
        Map<String, byte[]> all,
        Map<String, byte[]> changed,
        Set<String> removed,
        Set<String> set,
        Map<String, byte[]> before) {
    public boolean isEmpty() {
        return changed.isEmpty() && removed.isEmpty();
    }

    /**
     * This request's changes applied to the attributes as another writer left them. An attribute this request set
     * or removed with {@code setAttribute} replaces theirs whole (the later commit wins). An attribute found changed
     * only by comparing bytes (in place, or merely serialized differently) is applied only where the other writer
     * left it as this request loaded it: otherwise their deliberate change or removal would be undone by what may be
     * no change at all. The rest stay as the other writer stored them.
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

    private boolean untouchedByThem(Map<String, byte[]> theirs, String name) {
        byte[] loaded = before.get(name);
        byte[] now = theirs.get(name);
        return loaded == null ? now == null : Arrays.equals(loaded, now);
    }
}
