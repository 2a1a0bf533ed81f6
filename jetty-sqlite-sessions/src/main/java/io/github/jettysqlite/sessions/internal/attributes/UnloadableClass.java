package io.github.jettysqlite.sessions.internal.attributes;

import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.util.List;

/**
 * Tells an attribute this node cannot load because of its classes (a class it lacks, or holds in another,
 * incompatible version) from one it must not read (a class the filter rejects, a bound exceeded, bytes that are not
 * what they claim). The first is what a rolling deploy looks like: a node of the new version stored a value of a class
 * the nodes of the old one do not have yet. Such an attribute is left out of the session on this node and its bytes
 * are kept in the row (see {@link SessionAttributes#readInto}); anything else still makes the whole row unreadable.
 *
 * <p>Only failures the JDK reports for the local class are taken: a class not found, and the checks of a class found
 * against the stream's description of it, each known by its reason. A rejection by the filter names no class, and a
 * malformed description (which a forged stream can carry under any name) has reasons of its own, so neither counts.
 * A class this node does not have never reaches the filter by name, so a missing class is left out whatever the
 * filter says: nothing of it can be instantiated here.
 */
final class UnloadableClass {
    /** The JDK's reasons for a local class that does not match the stream's (in {@code ObjectStreamClass}). */
    private static final List<String> LOCAL_CLASS_REASONS = List.of(
            "local class incompatible",
            "local class name incompatible",
            "Serializable incompatible with Externalizable",
            "class invalid for deserialization",
            "no valid constructor",
            "record canonical constructor not found",
            "incompatible types for field ");

    /** Longer names (a stream's names are its writer's to choose) are cut in what is logged and remembered. */
    static final int MOST_NAME_CHARS = 200;

    private UnloadableClass() {}

    /**
     * The class this node could not load (or, for a changed field type, the class holding the field) for a failure of
     * deserialization, cut to {@link #MOST_NAME_CHARS} printable characters; null when the failure is of another kind.
     */
    static String classOf(Throwable failure) {
        if (failure instanceof ClassNotFoundException notFound) {
            return printable(notFound.getMessage());
        }
        if (failure instanceof NoClassDefFoundError missing) {
            // Also every use of a class whose static initializer failed here before ("Could not initialize class").
            return printable(
                    missing.getMessage() == null ? null : missing.getMessage().replace('/', '.'));
        }
        if (failure instanceof ExceptionInInitializerError) {
            // The first use of such a class: left out as every later use is, not made a reason to end the session.
            return "a class whose static initializer failed here (" + printable(String.valueOf(failure.getCause()))
                    + ")";
        }
        if (failure instanceof InvalidClassException incompatible && incompatible.classname != null) {
            String message = incompatible.getMessage();
            for (String reason : LOCAL_CLASS_REASONS) {
                if (message.startsWith(incompatible.classname + "; " + reason)) {
                    return printable(incompatible.classname);
                }
            }
            return null;
        }
        String message = failure.getMessage();
        if (message == null) {
            return null;
        }
        // An enum constant the local enum no longer (or not yet) has.
        if (failure instanceof InvalidObjectException
                && message.startsWith("enum constant ")
                && message.contains(" does not exist in ")) {
            return printable(message.substring(message.lastIndexOf(' ') + 1));
        }
        // A field whose type the local class changed: the JDK fails to assign the stream's value to it, and names the
        // class whose instance it was filling last. (A record's canonical constructor failing so is not taken: the JDK
        // wraps whatever that constructor throws alike.)
        int owner = message.lastIndexOf(" in instance of ");
        if (failure instanceof ClassCastException && message.startsWith("cannot assign instance of ") && owner > 0) {
            return printable(message.substring(owner + " in instance of ".length()));
        }
        return null;
    }

    /** The text cut to {@link #MOST_NAME_CHARS}, control characters replaced, so that a log line stays one line. */
    static String printable(String text) {
        if (text == null) {
            return "?";
        }
        String cut = text.length() > MOST_NAME_CHARS ? text.substring(0, MOST_NAME_CHARS) + "..." : text;
        StringBuilder clean = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            clean.append(Character.isISOControl(c) ? '?' : c);
        }
        return clean.toString();
    }
}
