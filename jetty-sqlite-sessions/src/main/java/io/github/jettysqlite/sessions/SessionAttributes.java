package io.github.jettysqlite.sessions;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jetty.session.SessionData;

/**
 * A session's attributes to and from the attributes column: each value serialized on its own ({@link
 * AttributeSerializer}) and the lot packed, sealed and checked by the {@link AttributeCodec}.
 */
final class SessionAttributes {
    private final AttributeCodec codec;
    private final AttributeSerializer serializer;

    SessionAttributes(AttributeCodec codec, AttributeSerializer serializer) {
        this.codec = codec;
        this.serializer = serializer;
    }

    AttributeCodec codec() {
        return codec;
    }

    /**
     * Deserializes a row's attributes into {@code data}, after its seal (if any) verified, without marking anything
     * changed.
     *
     * @return true when the row is in the current layout and sealed exactly when this store seals, false when its
     *     next store should write the attributes again even if none changed
     *
     * @throws IOException when the seal does not verify, an unsealed row is refused, the filter rejects a class or
     *     bound, or the bytes are not what they claim
     */
    boolean readInto(SessionData data, byte[] blob, AttributeSeal.SessionKey row)
            throws IOException, ClassNotFoundException {
        if (AttributeCodec.isJettyStream(blob)) {
            codec.requireUnsealedAccepted();
            serializer.deserializeJettyStream(data, blob);
            return false;
        }
        AttributeCodec.Decoded decoded = codec.decode(blob, row);
        Map<String, byte[]> serialized = decoded.attributes();
        Map<String, Object> values = new HashMap<>(serialized.size() * 2);
        for (Map.Entry<String, byte[]> e : serialized.entrySet()) {
            Object value = serializer.deserialize(e.getValue());
            if (value != null) {
                values.put(e.getKey(), value);
            }
        }
        data.putAllAttributes(values);
        return decoded.sealed() == codec.seals();
    }

    /** Serializes every attribute of {@code data} into the column value for its row. */
    byte[] write(SessionData data, AttributeSeal.SessionKey row) throws IOException {
        Map<String, Object> values = data.getAllAttributes();
        Map<String, byte[]> serialized = new HashMap<>(values.size() * 2);
        for (Map.Entry<String, Object> e : values.entrySet()) {
            serialized.put(e.getKey(), serializer.serialize(e.getValue()));
        }
        return codec.encode(serialized, row);
    }
}
