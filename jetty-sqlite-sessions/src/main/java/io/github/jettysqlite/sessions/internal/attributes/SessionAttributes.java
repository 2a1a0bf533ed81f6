package io.github.jettysqlite.sessions.internal.attributes;

import io.github.jettysqlite.sessions.internal.Redaction;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.session.SessionData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's attributes to and from the attributes column: each value serialized on its own ({@link
 * AttributeSerializer}) and the lot packed, sealed and checked by the {@link AttributeCodec}.
 */
public final class SessionAttributes {
    private static final Logger LOG = LoggerFactory.getLogger(SessionAttributes.class);
    /** Unsealed rows are logged once each, up to this many; past it one line says the rest go unlogged. */
    static final int UNSEALED_WARNINGS = 10_000;
    /** Classes a load could not load are logged once each, up to this many. */
    static final int UNLOADED_WARNINGS = 1_000;

    private final AttributeCodec codec;
    private final AttributeSerializer serializer;
    private final Set<String> unsealedSeen = ConcurrentHashMap.newKeySet();
    private final SharedNames sharedNames = new SharedNames();
    /** The classes said so far (each cut to a bounded length: see {@link UnloadableClass#printable}). */
    private final Set<String> unloadedClassesSeen = ConcurrentHashMap.newKeySet();

    private final AtomicBoolean unloadedOverflowSaid = new AtomicBoolean();

    public SessionAttributes(AttributeCodec codec, AttributeSerializer serializer) {
        this.codec = codec;
        this.serializer = serializer;
    }

    public AttributeCodec codec() {
        return codec;
    }

    /**
     * Deserializes a row's attributes into {@code data}, after its seal (if any) verified, without marking anything
     * changed, and records in tracked data what the row held (each attribute's fingerprint, not its bytes). Into
     * tracked data, an attribute this node cannot load for its class (see {@link UnloadableClass}) is left out, and
     * its bytes are kept with the data, for writes to put back.
     *
     * @throws IOException when the seal does not verify, an unsealed row is refused, the filter rejects a class or
     *     bound, or the bytes are not what they claim
     */
    public void readInto(SessionData data, byte[] blob, long version, AttributeSeal.SessionKey row)
            throws IOException, ClassNotFoundException {
        TrackedSessionData tracked = data instanceof TrackedSessionData t ? t : null;
        AttributePrints prints;
        boolean current;
        if (AttributeCodec.isJettyStream(blob)) {
            codec.requireUnsealedAccepted();
            unsealedAccepted(row);
            serializer.deserializeJettyStream(data, blob);
            prints = tracked == null ? null : AttributePrints.of(serializeAll(data.getAllAttributes()), sharedNames);
            current = false;
        } else {
            AttributeCodec.Decoded decoded = codec.decode(blob, row);
            if (!decoded.sealed()) {
                unsealedAccepted(row);
            }
            Map<String, byte[]> serialized = decoded.attributes();
            Map<String, Object> values = new HashMap<>(serialized.size() * 2);
            // One heap bound for the whole row, not one per attribute (see DeserializationFilter.HeapBudget).
            DeserializationFilter.HeapBudget budget = DeserializationFilter.HeapBudget.forBytes(blob.length);
            Map<String, byte[]> unloaded = Map.of();
            for (Map.Entry<String, byte[]> e : serialized.entrySet()) {
                Object value;
                try {
                    value = serializer.deserialize(e.getValue(), budget);
                } catch (IOException
                        | ClassNotFoundException
                        | NoClassDefFoundError
                        | ExceptionInInitializerError
                        | ClassCastException failure) {
                    String type = UnloadableClass.classOf(failure);
                    if (type == null || tracked == null) {
                        throw failure;
                    }
                    // A value of a class this node lacks, or holds in another version (a rolling deploy): the session
                    // is served without it and the row keeps it. Ending the whole session instead, as Jetty does with
                    // an unreadable one, would log the user out on every node and drop every attribute.
                    if (unloaded.isEmpty()) {
                        unloaded = new HashMap<>();
                    }
                    unloaded.put(e.getKey(), e.getValue());
                    notLoaded(row, e.getKey(), type, failure);
                    continue;
                }
                if (value != null) {
                    values.put(e.getKey(), value);
                }
            }
            if (tracked != null) {
                values.forEach(tracked::putStored);
                tracked.unloaded(unloaded);
            } else {
                data.putAllAttributes(values);
            }
            prints = tracked == null ? null : AttributePrints.of(serialized, sharedNames);
            current = decoded.current();
        }
        if (tracked != null) {
            tracked.stored(prints, version);
            tracked.setRewriteAttributes(!current);
        }
    }

    /**
     * What storing {@code data} changes in its attributes. Attributes set through {@code setAttribute} are
     * serialized; so, when {@code compareInPlace}, is every other attribute, so that one changed in place (a list
     * the application added to without calling {@code setAttribute} again) is found by comparing its fingerprint with
     * the one the row's bytes had, as Jetty's own stores save it by rewriting everything. Without the comparison,
     * attributes not set are kept as stored: their values are carried along unserialized, and a write takes their
     * bytes from the row.
     */
    public AttributeChanges changes(SessionData data, boolean compareInPlace) throws IOException {
        Map<String, Object> values = data.getAllAttributes();
        TrackedSessionData tracked = data instanceof TrackedSessionData t ? t : null;
        AttributePrints before = tracked == null ? null : tracked.storedPrints();
        Set<String> namesSet = tracked == null ? Set.of() : Set.copyOf(tracked.namesSet());
        Map<String, byte[]> serialized = new HashMap<>(values.size() * 2);
        Map<String, long[]> printed = new HashMap<>(values.size() * 2);
        Map<String, Object> kept = new HashMap<>();
        Map<String, byte[]> changed = new HashMap<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            String name = e.getKey();
            boolean known = before != null && before.contains(name);
            if (known && !compareInPlace && !namesSet.contains(name)) {
                kept.put(name, e.getValue());
                printed.put(name, before.printOf(name));
                continue;
            }
            byte[] now = serializer.serialize(e.getValue());
            long[] print = AttributePrints.fingerprint(now);
            serialized.put(name, now);
            printed.put(name, print);
            if (!known || !before.matches(name, print)) {
                changed.put(name, now);
            }
        }
        // What this node could not load goes back as the row holds it, unless the application set or removed it by
        // name: written whole (a new id, a rewrite) it stays in the session, merged it is left as the row has it.
        Map<String, byte[]> unloaded = tracked == null ? Map.of() : tracked.unloaded();
        Set<String> carried = tracked == null ? Set.of() : tracked.carriedUnloaded(unloaded);
        for (String name : carried) {
            byte[] bytes = unloaded.get(name);
            serialized.put(name, bytes);
            printed.put(name, AttributePrints.fingerprint(bytes));
        }
        Set<String> removed = new HashSet<>();
        if (before != null) {
            for (String name : before.names()) {
                if (!values.containsKey(name) && !carried.contains(name)) {
                    removed.add(name);
                }
            }
        }
        return new AttributeChanges(
                serialized, kept, changed, removed, namesSet, before, AttributePrints.ofPrints(printed, sharedNames));
    }

    /**
     * Every attribute of these changes serialized as it is now, for a row that holds no attributes this store could
     * take the kept ones from.
     */
    public Map<String, byte[]> wholeAsNow(AttributeChanges changes) throws IOException {
        Map<String, byte[]> all = new HashMap<>(changes.serialized());
        for (Map.Entry<String, Object> e : changes.kept().entrySet()) {
            all.put(e.getKey(), serializer.serialize(e.getValue()));
        }
        return all;
    }

    /** The column value for these serialized attributes in the given row, sealed when a key is configured. */
    public byte[] encode(Map<String, byte[]> serialized, AttributeSeal.SessionKey row) {
        return codec.encode(serialized, row);
    }

    /**
     * The attributes another writer left in the row, each still serialized, to apply this request's changes to;
     * null for a row in Jetty's whole-map stream (written before this layout, so no node of this store has changed
     * it since this request loaded it whole), in which case this request's attributes are written whole.
     *
     * @throws InvalidObjectException when the row's seal does not verify here, or it is refused as unsealed
     */
    public Map<String, byte[]> storedByAnother(byte[] blob, AttributeSeal.SessionKey row)
            throws InvalidObjectException {
        if (AttributeCodec.isJettyStream(blob)) {
            return null;
        }
        return new HashMap<>(codec.decode(blob, row).attributes());
    }

    /**
     * An attribute left out for its class: said once per class (up to {@link #UNLOADED_WARNINGS} classes), since
     * during a rolling deploy every session the new version touched says it again.
     */
    private void notLoaded(AttributeSeal.SessionKey row, String name, String type, Throwable failure) {
        if (unloadedClassesSeen.size() < UNLOADED_WARNINGS && unloadedClassesSeen.add(type)) {
            LOG.warn(
                    "Session {} of {} {} holds attribute '{}' of class {}, which this node cannot load ({}); the"
                            + " session is served here without it, and the row keeps it. Give every node the same"
                            + " classes (this is expected while a rolling deploy adds or changes a class). Not"
                            + " repeated for this class.",
                    Redaction.sessionId(row.id()),
                    row.contextPath(),
                    row.virtualHost(),
                    UnloadableClass.printable(name),
                    type,
                    UnloadableClass.printable(failure.toString()));
        } else if (!unloadedClassesSeen.contains(type) && unloadedOverflowSaid.compareAndSet(false, true)) {
            LOG.warn("Attributes of more classes this node cannot load were left out; not logging each any more");
        }
    }

    /** With keys configured, an unsealed row was read (the operator accepts them): said once per row. */
    private void unsealedAccepted(AttributeSeal.SessionKey row) {
        if (!codec.verifies()) {
            return;
        }
        int seen = unsealedSeen.size();
        if (seen < UNSEALED_WARNINGS
                && unsealedSeen.add(row.contextPath() + " " + row.virtualHost() + " " + row.id())) {
            LOG.warn(
                    "Read unsealed session {} of {} {} because acceptUnsealedRows is on; it is sealed on its next"
                            + " write. Run the seal command, then switch acceptUnsealedRows off.",
                    Redaction.sessionId(row.id()),
                    row.contextPath(),
                    row.virtualHost());
        } else if (seen == UNSEALED_WARNINGS && unsealedSeen.add("")) {
            LOG.warn("More unsealed sessions were read; not logging each any more");
        }
    }

    private Map<String, byte[]> serializeAll(Map<String, Object> values) throws IOException {
        Map<String, byte[]> serialized = new HashMap<>(values.size() * 2);
        for (Map.Entry<String, Object> e : values.entrySet()) {
            serialized.put(e.getKey(), serializer.serialize(e.getValue()));
        }
        return serialized;
    }
}
