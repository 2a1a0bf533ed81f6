package io.github.jettysqlite.sessions.admin;

import io.github.jettysqlite.sessions.internal.attributes.AttributeCodec;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSeal;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSerializer;
import io.github.jettysqlite.sessions.internal.attributes.DeserializationFilter;
import io.github.jettysqlite.sessions.internal.attributes.SessionAttributes;
import io.github.jettysqlite.sessions.internal.attributes.SessionIds;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import io.github.jettysqlite.sessions.internal.table.SessionTable;
import java.io.InvalidObjectException;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jetty.session.SessionData;

/** A stored session's attributes for an operator: their names and sizes, or (asked for) their values. */
public final class AttributeReader {
    private AttributeReader() {}

    /**
     * Each attribute's name and serialized size, read from the row's container without deserializing anything, so
     * looking at a planted row is safe.
     *
     * @return the sizes by name, or null for a row in Jetty's whole-map stream, whose attributes cannot be told
     *     apart without reading them
     * @throws InvalidObjectException when the container is malformed
     */
    public static Map<String, Integer> sizes(SessionDetail session) throws InvalidObjectException {
        if (AttributeCodec.isJettyStream(session.attributes())) {
            return null;
        }
        Map<String, Integer> sizes = new TreeMap<>();
        AttributeCodec.layout(session.attributes()).forEach((name, bytes) -> sizes.put(name, bytes.length));
        return sizes;
    }

    /**
     * Deserializes a session's attributes through the deserialization filter, resolving classes through the given
     * loader (the webapp's classes, for attributes of webapp types), exactly as a store would; a sealed row only once
     * one of the keys verifies its seal.
     *
     * @param filterPattern an {@link java.io.ObjectInputFilter} pattern, usually the stores' default
     * @param attributeKeys where the keys that may have sealed the row are ({@code env:NAME} or {@code file:PATH},
     *     comma-separated), or null
     * @param acceptUnsealed whether a row without a seal is read; with keys given, refuse it unless sure, as a store
     *     that refuses unsealed rows would
     * @throws Exception when the attributes cannot be read: a class is missing, the filter rejects one, the seal does
     *     not verify, or the row is unsealed and refused
     */
    public static Map<String, Object> values(
            SessionDetail session,
            ClassLoader loader,
            String filterPattern,
            String attributeKeys,
            boolean acceptUnsealed)
            throws Exception {
        return values(session, SessionTable.DEFAULT_NAME, loader, filterPattern, attributeKeys, acceptUnsealed);
    }

    /**
     * As above, for a session of the named table: a seal covers the table it was written in, so a row copied into
     * another table does not verify.
     */
    public static Map<String, Object> values(
            SessionDetail session,
            String tableName,
            ClassLoader loader,
            String filterPattern,
            String attributeKeys,
            boolean acceptUnsealed)
            throws Exception {
        SessionSummary s = session.summary();
        AttributeSeal keys = AttributeSeal.of(null, attributeKeys);
        // A protected id's row holds its hash; the seal covers the id itself, which the sealed id gives back.
        String id = SessionIds.opening(keys).idOf(s.contextPath(), s.virtualHost(), s.id(), session.sealedId());
        SessionData data = new SessionData(
                id,
                s.contextPath(),
                s.virtualHost(),
                s.created(),
                s.accessed(),
                session.lastAccessed(),
                session.maxInactiveMs());
        SessionAttributes attributes = new SessionAttributes(
                new AttributeCodec(keys, acceptUnsealed),
                new AttributeSerializer(
                        DeserializationFilter.create(filterPattern),
                        DeserializationFilter.allowsCommonValues(filterPattern)));
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            attributes.readInto(
                    data,
                    session.attributes(),
                    TrackedSessionData.UNKNOWN_VERSION,
                    new AttributeSeal.SessionKey(tableName, s.contextPath(), s.virtualHost(), id, s.created()));
            return new TreeMap<>(data.getAllAttributes());
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
