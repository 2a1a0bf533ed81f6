package io.github.jettysqlite.sessions;

import io.github.jettysqlite.sessions.internal.ChangeSignals;
import io.github.jettysqlite.sessions.internal.JulianDay;
import io.github.jettysqlite.sessions.internal.Redaction;
import io.github.jettysqlite.sessions.internal.SessionDatabase;
import io.github.jettysqlite.sessions.internal.SessionDatabase.DatabaseCall;
import io.github.jettysqlite.sessions.internal.SessionScope;
import io.github.jettysqlite.sessions.internal.attributes.AttributeChanges;
import io.github.jettysqlite.sessions.internal.attributes.AttributePrints;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSeal;
import io.github.jettysqlite.sessions.internal.attributes.PrincipalSource;
import io.github.jettysqlite.sessions.internal.attributes.SessionAttributes;
import io.github.jettysqlite.sessions.internal.attributes.TrackedSessionData;
import io.github.jettysqlite.sessions.internal.table.RowVersion;
import io.github.jettysqlite.sessions.internal.table.SessionWrites;
import io.github.jettysqlite.sessions.internal.table.SessionWrites.PrincipalWrite;
import io.github.jettysqlite.sessions.internal.table.StoredAttributes;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.eclipse.jetty.session.SessionData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a store writes a session so that concurrent requests of one session keep each other's changes and a deleted
 * session stays deleted.
 *
 * <ul>
 *   <li>A session never saved before is inserted whole.
 *   <li>A session saved before is only ever updated, and never recreated: if its row is gone, another request or
 *       node deleted it (a logout) and it stays deleted.
 *   <li>When no attribute changed, only the metadata is written: no attribute is rewritten.
 *   <li>When attributes changed, the row is updated on condition that its attributes are still at the version this
 *       request loaded: with no concurrent writer, one statement (with {@code saveInPlaceChanges} off, a read and an
 *       update in one transaction, which take the bytes of the attributes not set from the row). Otherwise the row
 *       is read inside a write transaction (locked on PostgreSQL), this request's changes and removals are applied
 *       to the attributes as the other writer left them, byte for byte, and the result is written: two requests
 *       that set different attributes both keep their change, and of two that set the same one, the later commit
 *       wins it whole.
 *   <li>Access times and the expiry never move backwards (see {@link SessionWrites}).
 *   <li>Who is logged in is read from the attributes this request holds and written with them, or with the
 *       metadata while the row's attributes are the ones this request loaded; a merge onto another writer's
 *       attributes writes it only when this request changed an attribute it is read from.
 * </ul>
 */
final class SessionWriter {
    private static final Logger LOG = LoggerFactory.getLogger(SessionWriter.class);
    /** The most a row's expiry may lag behind this node's copy for want of a write: see {@link #expiryLagMs}. */
    static final long MAX_EXPIRY_LAG_MS = 1_000;
    /**
     * {@link #MAX_EXPIRY_LAG_MS}, unless a test over HTTP raises it so that a request slowed by a loaded machine is
     * not written as a long one would be. Nothing else sets it.
     */
    static volatile long maxExpiryLagMs = MAX_EXPIRY_LAG_MS;

    private final SessionDatabase database;
    private final SessionWrites writes;
    private final SessionScope scope;
    private final SessionAttributes attributes;
    private final boolean compareInPlace;
    private final SessionStoreStatistics statistics;
    private final String tableName;
    private final PrincipalSource principals;
    /** Writes that asked for a mark (for tests: only trusted data should pay for one). */
    private final LongAdder markedWrites = new LongAdder();

    SessionWriter(
            String tableName,
            SessionDatabase database,
            SessionWrites writes,
            SessionScope scope,
            SessionAttributes attributes,
            boolean compareInPlace,
            PrincipalSource principals,
            SessionStoreStatistics statistics) {
        this.principals = principals;
        this.database = database;
        this.writes = writes;
        this.scope = scope;
        this.attributes = attributes;
        this.compareInPlace = compareInPlace;
        this.statistics = statistics;
        this.tableName = tableName;
    }

    /**
     * @param lastSaveTime when the session was last saved; 0 or less for a session never saved (new, or renewed)
     * @throws IOException when an attribute cannot be serialized, or the row's attributes cannot be merged with
     *     (sealed under a key this store does not hold); nothing is written then
     */
    void store(SessionData data, long lastSaveTime) throws IOException, SessionDatabaseException {
        if (data instanceof TrackedSessionData tracked && tracked.isDeletedElsewhere()) {
            // Found gone (ended elsewhere, or dropped by a refusal): written again, even whole under a renewed id, it
            // would come back to life.
            deletedElsewhere(data);
            return;
        }
        if (lastSaveTime <= 0) {
            insertNew(data);
            return;
        }
        if (!(data instanceof TrackedSessionData tracked) || !tracked.hasBaseline()) {
            writeWhole(data);
            return;
        }
        AttributeChanges changes = attributes.changes(data, compareInPlace);
        if (changes.isEmpty() && !tracked.rewriteAttributes()) {
            if (tracked.unwrittenExpiryOnly(expiryLagMs(tracked))) {
                statistics.storeSkipped();
                return;
            }
            writeMetadata(tracked);
            return;
        }
        writeChanges(tracked, changes);
    }

    /**
     * A session never saved (new, or under a renewed id): written whole at a fresh random first version, replacing
     * a row of the same id only when it is this session's own or expired (see {@link SessionWrites#insert}).
     *
     * @throws IOException when another live session holds the id; nothing is written
     */
    private void insertNew(SessionData data) throws IOException, SessionDatabaseException {
        AttributeChanges all = attributes.changes(data, true);
        byte[] blob = attributes.encode(all.serialized(), keyOf(data));
        long version = RowVersion.first();
        double now = JulianDay.fromEpochMillis(System.currentTimeMillis());
        String principal =
                principalUnknown(data) ? ((TrackedSessionData) data).unloadedPrincipal() : principals.principalOf(data);
        // A creation asks for no mark: the two reads of the board it saves cost more, over a session's life, than
        // the one read of the row its cache makes when the session is next used.
        ChangeSignals.Change creation = database.signals().beginCreation(tableName, scope, data.getId());
        if (announced(
                        data,
                        creation,
                        () -> database.writeStatement(
                                c -> writes.insert(c, scope, data, blob, version, principal, now)),
                        inserted -> inserted > 0)
                == 0) {
            throw new IOException("Session id " + Redaction.sessionId(data.getId()) + " of " + scope
                    + " belongs to another live session;" + " a new session is not written over it");
        }
        stored(data, all.after(), version);
    }

    /**
     * Data with no row it was loaded from or written to (built by {@code newSessionData} and never stored, or not
     * created by this store): there is nothing to merge against, so its attributes are written as given.
     */
    private void writeWhole(SessionData data) throws IOException, SessionDatabaseException {
        AttributeChanges all =
                data.isDirty() || data instanceof TrackedSessionData ? attributes.changes(data, true) : null;
        byte[] whole = all == null ? null : attributes.encode(all.serialized(), keyOf(data));
        String principal = principals.principalOf(data);
        int updated = announced(
                data,
                () -> database.writeStatement(c -> whole == null
                        ? writes.updateMetadata(c, scope, data, TrackedSessionData.UNKNOWN_VERSION, principal)
                        : writes.updateAttributesAnyVersion(
                                c, scope, data, whole, new PrincipalWrite(true, principal))),
                written -> false);
        if (updated == 0) {
            deletedElsewhere(data);
        } else if (all != null) {
            // The version the write left is not known here: the next write of these attributes merges.
            stored(data, all.after(), TrackedSessionData.UNKNOWN_VERSION);
        }
    }

    /**
     * How much later than the row says a session may expire without a write: a hundredth of its timeout, and a second
     * at most. Every request that changes a session under {@code flushOnResponseCommit} (the coherent cache's
     * default) is saved twice, at its response and as it lets go of the session, and the second save differs only by
     * an expiry later by the time the request took. Skipped, it halves those requests' writes; the row then says the
     * session expires that much before Jetty's copy here does, counting from the request's start as the servlet
     * specification does (a longer request is written as Jetty writes it).
     */
    static long expiryLagMs(SessionData data) {
        return Math.max(0, Math.min(maxExpiryLagMs, data.getMaxInactiveMs() / 100));
    }

    /** No attribute changed: only the metadata is written, and the attributes and their version stay. */
    private void writeMetadata(TrackedSessionData data) throws SessionDatabaseException {
        String principal = principals.principalOf(data);
        // The principal goes with the metadata only while the row's attributes are the loaded ones (see
        // SessionWrites): an unknown version keeps the row's, as when this node could not load the attribute saying it.
        long known = principalUnknown(data) ? TrackedSessionData.UNKNOWN_VERSION : data.storedVersion();
        DatabaseCall<Integer> write =
                () -> database.writeStatement(c -> writes.updateMetadata(c, scope, data, known, principal));
        // An access alone is not announced: other nodes' caches need not read the row for it (see ChangeSignals).
        int written = data.timeoutChanged() ? announced(data, write, updated -> updated > 0) : write.call();
        if (written == 0) {
            deletedElsewhere(data);
        } else {
            data.timeoutStored();
            data.metadataWritten();
        }
    }

    /**
     * Attributes changed: one conditional update when the row is still at the version this data knows, otherwise a
     * merge of this request's changes into the row as it is now. The store keeps no copy of the bytes stored, so when
     * attributes are kept as stored without being serialized ({@code saveInPlaceChanges} off) their bytes are taken
     * from the row, in the same write transaction, by the merge: the row is read and written even without a
     * concurrent writer, and the attributes this request did not set are neither serialized nor replaced.
     */
    private void writeChanges(TrackedSessionData data, AttributeChanges changes)
            throws IOException, SessionDatabaseException {
        long expected = data.storedVersion();
        if (changes.kept().isEmpty() && expected != TrackedSessionData.UNKNOWN_VERSION) {
            byte[] blob = attributes.encode(changes.serialized(), keyOf(data));
            String name = principals.principalOf(data);
            PrincipalWrite principal = new PrincipalWrite(!principalUnknown(data), name);
            if (announced(
                            data,
                            () -> database.writeStatement(
                                    c -> writes.updateAttributes(c, scope, data, blob, principal, expected)),
                            written -> written == 1)
                    == 1) {
                stored(data, changes.after(), expected + 1);
                return;
            }
        }
        // A row still in Jetty's whole-map stream holds no attribute's bytes of its own: it is written whole, with the
        // attributes kept as stored serialized as they are now (only until this first write in the current layout).
        Map<String, byte[]> whole = changes.kept().isEmpty()
                ? changes.serialized()
                : data.rewriteAttributes() ? attributes.wholeAsNow(changes) : null;
        merge(data, changes, whole);
    }

    /**
     * Reads the row inside a write transaction (locked on PostgreSQL), applies the changes to its attributes byte
     * for byte, and writes the result. A row whose attributes this store cannot read as separate attributes (sealed
     * under a key it does not hold, during a rolling key change) is left untouched and the store fails, since
     * writing this request's map whole would drop whatever the other node wrote.
     */
    private void merge(TrackedSessionData data, AttributeChanges changes, Map<String, byte[]> whole)
            throws IOException, SessionDatabaseException {
        AttributeSeal.SessionKey key = keyOf(data);
        String name = principals.principalOf(data);
        PrincipalWrite principal = new PrincipalWrite(
                (principals.readsAnyOf(changes.changed().keySet()) || principals.readsAnyOf(changes.removed()))
                        && !principalUnknown(data),
                name);
        long known = data.storedVersion();
        MergeOutcome outcome = announced(
                data,
                () -> database.write(c -> {
                    StoredAttributes theirs = writes.currentAttributes(c, scope, data);
                    if (theirs == null || theirs.created() != data.getCreated()) {
                        return MergeOutcome.GONE;
                    }
                    Map<String, byte[]> base;
                    try {
                        base = attributes.storedByAnother(theirs.attributes(), key);
                    } catch (InvalidObjectException e) {
                        return new MergeOutcome(theirs.version(), e.getMessage(), null, null);
                    }
                    if (base == null && whole == null) {
                        // Cannot happen: a row in Jetty's form was loaded in it, which marks the data for a whole
                        // rewrite.
                        return new MergeOutcome(theirs.version(), "the row holds Jetty's whole-map form", null, null);
                    }
                    Map<String, byte[]> merged = base == null ? whole : changes.appliedTo(base);
                    byte[] result = attributes.encode(merged, key);
                    PrincipalWrite written =
                            base == null ? new PrincipalWrite(!principalUnknown(data), principal.name()) : principal;
                    writes.updateAttributes(c, scope, data, result, written, theirs.version());
                    return new MergeOutcome(theirs.version(), null, merged, theirs.principal());
                }),
                // Only when nobody wrote meanwhile does the row now hold exactly this data's attributes.
                merged -> merged != MergeOutcome.GONE
                        && merged.unmergeable() == null
                        && known != TrackedSessionData.UNKNOWN_VERSION
                        && merged.version() == known);
        if (outcome == MergeOutcome.GONE) {
            deletedElsewhere(data);
            return;
        }
        if (outcome.unmergeable() != null) {
            throw new IOException("Cannot store session " + Redaction.sessionId(data.getId()) + " of " + scope
                    + ": another node wrote"
                    + " its attributes in a form this store cannot merge with (" + outcome.unmergeable() + "); the row"
                    + " is left as that node wrote it. Give every node the same attributeKey and attributeOldKeys.");
        }
        long expected = data.storedVersion();
        if (expected != TrackedSessionData.UNKNOWN_VERSION && outcome.version() == expected) {
            // Nobody wrote meanwhile: the merge only took the bytes of the attributes kept as stored from the row,
            // which now holds this data's attributes as its fingerprints say, one version on.
            stored(data, changes.after(), expected + 1);
            return;
        }
        // What this node could not load is now as the other writer left it (or gone, if it removed it).
        data.unloadedAsWritten(outcome.written(), outcome.principal());
        statistics.mergedWrite();
        LOG.debug(
                "Session {} of {} was changed by another request meanwhile; merged this request's changes into it",
                Redaction.sessionId(data.getId()),
                scope);
        // The row now holds the other writer's attributes too, which this data does not: its next write must merge
        // again rather than write this data's attributes whole.
        stored(data, changes.after(), TrackedSessionData.UNKNOWN_VERSION);
    }

    /**
     * Runs a write of the session announced to other nodes' caches (see {@link ChangeSignals}). When this data was
     * known to be what the row held as the write began, the write leaves the row holding exactly this data ({@code
     * leavesDataCurrent}), and no other change of the session ran beside it, the trust a cache had in the data moves
     * to the marks after the write (no longer than the read it rests on allows); otherwise it is forgotten.
     */
    private <R> R announced(SessionData data, DatabaseCall<R> write, Predicate<R> leavesDataCurrent)
            throws SessionDatabaseException {
        ChangeSignals signals = database.signals();
        // The marks around a write only carry the trust a cache's check gave this data. Data no check trusts now (a
        // store under Jetty's default or null cache, a session just loaded again, trust older than a copy may keep
        // it) is announced to other processes all the same, without the reads a mark costs.
        ChangeSignals.Change change;
        if (data instanceof TrackedSessionData tracked
                && tracked.isTrusted(System.currentTimeMillis(), CachedCopyCheck.TRUST_MS)) {
            markedWrites.increment();
            change = signals.begin(tableName, scope, data.getId());
        } else {
            change = signals.beginUnmarked(tableName, scope, data.getId());
        }
        return announced(data, change, write, leavesDataCurrent);
    }

    /** As {@link #announced(SessionData, DatabaseCall, Predicate)}, for a change its caller began. */
    private <R> R announced(
            SessionData data, ChangeSignals.Change change, DatabaseCall<R> write, Predicate<R> leavesDataCurrent)
            throws SessionDatabaseException {
        ChangeSignals signals = database.signals();
        R result = null;
        try {
            result = write.call();
            return result;
        } finally {
            ChangeSignals.Mark after = signals.end(change);
            ChangeSignals.Mark before = change == null ? null : change.markBefore();
            if (data instanceof TrackedSessionData tracked) {
                if (before != null && after != null && result != null && leavesDataCurrent.test(result)) {
                    tracked.carryTrust(
                            before.session(),
                            before.all(),
                            before.board(),
                            after.session(),
                            after.all(),
                            after.board());
                } else {
                    tracked.distrust();
                }
            }
        }
    }

    /**
     * True when an attribute this node could not load may name the user, and none it loaded names one before it: the
     * principal is then left as the row holds it (or, under a new id, written as the row held it when loaded) rather
     * than taken from the attributes at hand.
     */
    private boolean principalUnknown(SessionData data) {
        return data instanceof TrackedSessionData tracked
                && !principals.decidedWithout(data, tracked.carriedUnloaded());
    }

    /** How many writes asked for a mark, for tests. */
    long markedWrites() {
        return markedWrites.sum();
    }

    /**
     * What a merge found: the row gone, a base it could not read (the reason), or the version it merged onto, the
     * attributes it wrote (each serialized) and the principal the other writer left (which a merge that changed no
     * attribute naming the user keeps).
     */
    private record MergeOutcome(long version, String unmergeable, Map<String, byte[]> written, String principal) {
        static final MergeOutcome GONE = new MergeOutcome(-1, null, null, null);
    }

    private void deletedElsewhere(SessionData data) {
        statistics.storeOfDeletedSession();
        if (data instanceof TrackedSessionData tracked) {
            tracked.markDeletedElsewhere();
        }
        LOG.debug(
                "Not storing session {} of {}: it was deleted elsewhere since it was loaded",
                Redaction.sessionId(data.getId()),
                scope);
    }

    private static void stored(SessionData data, AttributePrints attributes, long version) {
        if (data instanceof TrackedSessionData tracked) {
            tracked.stored(attributes, version);
            tracked.metadataWritten();
        }
    }

    private AttributeSeal.SessionKey keyOf(SessionData data) {
        return new AttributeSeal.SessionKey(
                tableName, scope.contextPath(), scope.virtualHost(), data.getId(), data.getCreated());
    }
}
