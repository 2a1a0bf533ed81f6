package io.github.jettysqlite.sessions.internal.attributes;

import java.util.Map;
import java.util.Set;

/**
 * What a store of a session changes in its attributes, each attribute serialized.
 *
 * @param all every attribute the session holds now, as it should be stored when nobody else wrote meanwhile
 * @param changed the attributes this request set or changed in place, by name
 * @param removed the names of attributes this request removed
 */
public record AttributeChanges(Map<String, byte[]> all, Map<String, byte[]> changed, Set<String> removed) {
    public boolean isEmpty() {
        return changed.isEmpty() && removed.isEmpty();
    }

    /**
     * This request's changes applied to the attributes as another writer left them: set and changed attributes
     * replace theirs whole (the later commit wins), removed ones go, the rest stay as the other writer stored them.
     */
    public Map<String, byte[]> appliedTo(Map<String, byte[]> theirs) {
        theirs.putAll(changed);
        removed.forEach(theirs::remove);
        return theirs;
    }
}
