package io.github.jettysqlite.sessions.internal.attributes;

import java.io.InvalidClassException;

/**
 * Tells an attribute this node cannot load because of its classes (a class it lacks, or has in another, incompatible
 * version) from one it must not read (a class the filter rejects, a bound exceeded, bytes that are not what they
 * claim). The first is what a rolling deploy looks like: a node of the new version stored a value of a class the
 * nodes of the old one do not have yet. Such an attribute is left out of the session on this node and its bytes are
 * kept in the row (see {@link SessionAttributes#readInto}); anything else still makes the whole row unreadable.
 */
final class UnloadableClass {
    private UnloadableClass() {}

    /**
     * The class this node could not load for a failure of deserialization, or null when the failure is of another
     * kind. The filter's rejection is an {@link InvalidClassException} that names no class, so it never counts: only
     * the JDK's own checks of a local class against the stream's description name one.
     */
    static String classOf(Throwable failure) {
        if (failure instanceof ClassNotFoundException notFound) {
            return notFound.getMessage();
        }
        if (failure instanceof InvalidClassException incompatible && incompatible.classname != null) {
            return incompatible.classname;
        }
        if (failure instanceof NoClassDefFoundError missing) {
            String name = missing.getMessage();
            return name == null ? "?" : name.replace('/', '.');
        }
        return null;
    }
}
