package io.github.jettysqlite.sessions.internal.attributes;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectStreamClass;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.util.ClassLoadingObjectInputStream;

/**
 * Jetty's object stream that reads classes through a chosen loader, remembering the JDK's own classes once resolved.
 *
 * <p>Every stream resolves the name of each class it names, through a loader lookup; a session's list or map names
 * the same few JDK classes in every stream (a twentieth of a load of ten attributes went to these lookups). A class of
 * a {@code java.} package defined by the boot loader is the one every loader resolves its name to (the JVM lets no
 * other loader define such a class), so the answer is kept for the process. The filter still judges each class as
 * the stream reads it: it runs on what this returns, remembered or not.
 */
final class AttributeObjectInput extends ClassLoadingObjectInputStream {
    /**
     * Bounded, though only classes of the JDK's boot layer get in: a forged stream may name many of them, and each is
     * resolved before the filter refuses it.
     */
    private static final int MAX_REMEMBERED = 1024;

    private static final Map<String, Class<?>> JDK_CLASSES = new ConcurrentHashMap<>();

    AttributeObjectInput(InputStream in) throws IOException {
        super(in);
    }

    @Override
    public Class<?> resolveClass(ObjectStreamClass described) throws IOException, ClassNotFoundException {
        Class<?> known = JDK_CLASSES.get(described.getName());
        if (known != null) {
            return known;
        }
        Class<?> resolved = super.resolveClass(described);
        if (resolved.getClassLoader() == null
                && resolved.getName().startsWith("java.")
                && JDK_CLASSES.size() < MAX_REMEMBERED) {
            JDK_CLASSES.putIfAbsent(resolved.getName(), resolved);
        }
        return resolved;
    }

    /** How many classes are remembered, for tests. */
    static int remembered() {
        return JDK_CLASSES.size();
    }

    /** Whether the class of this name is remembered, for tests. */
    static boolean remembers(String name) {
        return JDK_CLASSES.containsKey(name);
    }
}
