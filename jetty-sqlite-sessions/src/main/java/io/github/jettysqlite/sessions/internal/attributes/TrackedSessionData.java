package io.github.jettysqlite.sessions.internal.attributes;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.eclipse.jetty.session.SessionData;

/**
 * Jetty's session data, plus what the store knows of the row it was loaded from or last written to. Jetty marks the
 * whole map dirty without saying which attribute changed ({@code setDirty(String)} records no name), but it lets the
 * store create the {@code SessionData} objects ({@code newSessionData}), so the store keeps the names here, together
 * with a fingerprint of each attribute as stored ({@link AttributePrints}) and the version the attributes were at:
 * what it needs to write only this request's changes onto the row as it is now.
 *
 * <p>A cache holds one of these for every session it keeps, so it holds no copy of the stored bytes (that doubled a
 * session's heap) and no set of names until a name is set. The fields are written together under the session's lock,
 * where Jetty and the store change them.
 */
public final class TrackedSessionData extends SessionData {
    /** The row's attributes version is not known: the next attribute write reads the row and merges. */
    public static final long UNKNOWN_VERSION = -1;

    /** Null until an attribute is set; see {@link #namesSet()}. */
    private volatile Set<String> namesSet;
    /** The names and fingerprints of {@link AttributePrints}, kept as its two arrays; null when unknown. */
    private volatile String[] storedNames;

    private volatile long[] storedPrints;
    private volatile long storedVersion = UNKNOWN_VERSION;
    private volatile boolean rewriteAttributes;
    private volatile long storedMaxInactiveMs;
    private volatile boolean deletedElsewhere;
    private volatile String rowKey;
    /** What this data is known current as of (see {@link #trustUntil}); null when not known. */
    private volatile Trust trust;
    /** Set while this data holds changes the database refused, which must give way to the row's; else null. */
    private volatile RefusedChanges refused;
    /** The requests that set something not stored yet (see {@link #takeSetters}); null until one does. */
    private volatile Set<SettingRequest> setters;
    /** What of the row this node could not load (see {@link UnloadableClass}); null when it loaded everything. */
    private volatile Unloaded unloaded;
    /**
     * The access time, expiry and cookie time this node last wrote to the row from this data (see {@link
     * #unwrittenExpiryOnly}); the access time is {@link Long#MIN_VALUE} until the first write. The last node needs no
     * place here: Jetty sets it only on data that is new or just loaded, whose first save always writes.
     */
    private volatile long writtenAccessed = Long.MIN_VALUE;

    private volatile long writtenExpiry;
    private volatile long writtenCookieSet;

    /** Past this many requests remembered, those already answered are forgotten. */
    private static final int SETTERS_KEPT = 16;

    /**
     * The request the calling thread serves, as the layer that answers requests knows it, or null. That layer installs
     * it; this one cannot see requests.
     */
    private static volatile Supplier<SettingRequest> currentRequest = () -> null;

    /** Installs what tells which request sets an attribute (see {@link #takeSetters}). */
    public static void requestsKnownBy(Supplier<SettingRequest> current) {
        currentRequest = current;
    }

    public TrackedSessionData(
            String id,
            String contextPath,
            String vhost,
            long created,
            long accessed,
            long lastAccessed,
            long maxInactiveMs) {
        super(id, contextPath, vhost, created, accessed, lastAccessed, maxInactiveMs);
        this.storedMaxInactiveMs = maxInactiveMs;
    }

    /**
     * True when this request changed the session's timeout ({@code setMaxInactiveInterval}) since it was loaded or
     * last stored: the timeout and the expiry it gives are then written even if another request accessed the
     * session more recently, since a timeout set on purpose must not be lost to an access.
     */
    public boolean timeoutChanged() {
        return getMaxInactiveMs() != storedMaxInactiveMs;
    }

    /** Remembers which attribute was set or removed; Jetty calls this from {@code setAttribute}. */
    @Override
    public void setDirty(String name) {
        Set<String> names = namesSet;
        if (names == null) {
            synchronized (this) {
                names = namesSet;
                if (names == null) {
                    names = ConcurrentHashMap.newKeySet();
                    namesSet = names;
                }
            }
        }
        names.add(name);
        SettingRequest request = currentRequest.get();
        if (request != null) {
            Set<SettingRequest> by = setters;
            if (by == null) {
                by = Collections.newSetFromMap(new IdentityHashMap<>());
                setters = by;
            }
            if (by.add(request) && by.size() > SETTERS_KEPT) {
                // Saves that keep failing without a refusal (an attribute that cannot be serialized) never clear the
                // set: answered requests, which no refusal can reach any more, go.
                by.removeIf(SettingRequest::answered);
            }
        }
        super.setDirty(name);
    }

    /**
     * As Jetty's, and removing an attribute this node could not load is a change too: Jetty sees nothing to remove
     * and would not say so, and the store would write the attribute back.
     */
    @Override
    public Object setAttribute(String name, Object value) {
        Object old = super.setAttribute(name, value);
        if (value == null && old == null && unloaded().containsKey(name)) {
            setDirty(name);
        }
        return old;
    }

    /**
     * Takes the requests (as {@link #requestsKnownBy} knows them) that set something not stored since. When a save of this
     * data is refused, the changes of every request sharing it are dropped with the refused ones, so each of those
     * requests must fail too. Jetty sets attributes under the session's lock, where the store takes these too.
     */
    public Set<SettingRequest> takeSetters() {
        Set<SettingRequest> by = setters;
        setters = null;
        return by == null ? Set.of() : by;
    }

    /** True when a request already refused set some of the changes not stored yet (see {@link #takeSetters}). */
    public boolean setByARefusedRequest() {
        Set<SettingRequest> by = setters;
        if (by != null) {
            for (SettingRequest request : by) {
                if (request.refused()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Names given to {@code setAttribute} (set or removed) since the attributes were last stored. */
    public Set<String> namesSet() {
        Set<String> names = namesSet;
        return names == null ? Set.of() : names;
    }

    /** Each attribute's name and fingerprint as the row held them when loaded or last written; null when unknown. */
    public AttributePrints storedPrints() {
        String[] names = storedNames;
        return names == null ? null : new AttributePrints(names, storedPrints);
    }

    /** The row's attributes version when loaded or last written, or {@link #UNKNOWN_VERSION}. */
    public long storedVersion() {
        return storedVersion;
    }

    /** Records what the row now holds of this session's own attributes, after a load or a write. */
    public void stored(AttributePrints attributes, long version) {
        this.storedPrints = attributes.prints();
        this.storedNames = attributes.names();
        this.storedVersion = version;
        this.storedMaxInactiveMs = getMaxInactiveMs();
        // An unloaded attribute the application set or removed by its name was written as it asked: no longer carried.
        Unloaded notLoaded = unloaded;
        if (notLoaded != null) {
            Set<String> carried = carriedUnloaded(notLoaded.attributes());
            if (carried.size() < notLoaded.attributes().size()) {
                Map<String, byte[]> left = new HashMap<>(notLoaded.attributes());
                left.keySet().retainAll(carried);
                unloaded = left.isEmpty() ? null : new Unloaded(Map.copyOf(left), notLoaded.principal());
            }
        }
        this.namesSet = null;
        this.setters = null;
        this.rewriteAttributes = false;
    }

    /**
     * Records the attributes of the row this node could not load (each still serialized, by name), which the store
     * writes back as they are until the application sets or removes that name; empty for none.
     */
    void unloaded(Map<String, byte[]> attributes) {
        this.unloaded = attributes.isEmpty() ? null : new Unloaded(Map.copyOf(attributes), null);
    }

    /** The attributes of the row this node could not load, each still serialized; empty when it loaded them all. */
    public Map<String, byte[]> unloaded() {
        Unloaded notLoaded = unloaded;
        return notLoaded == null ? Map.of() : notLoaded.attributes();
    }

    /**
     * Records who the row names as logged in, read when some attributes could not be loaded: they may be the ones
     * that name the user, which a write of this data under a new id cannot then tell.
     */
    public void unloadedPrincipal(String principal) {
        Unloaded notLoaded = unloaded;
        if (notLoaded != null) {
            unloaded = new Unloaded(notLoaded.attributes(), principal);
        }
    }

    /** Who the row named as logged in when attributes could not be loaded (see {@link #unloadedPrincipal}); or null. */
    public String unloadedPrincipal() {
        Unloaded notLoaded = unloaded;
        return notLoaded == null ? null : notLoaded.principal();
    }

    /**
     * The attributes of a row this node could not load, each still serialized, and who the row named as logged in.
     * Replaced whole, never changed in place.
     */
    private record Unloaded(Map<String, byte[]> attributes, String principal) {}

    /**
     * After a merge onto another writer's attributes: each unloaded attribute as the row now holds it ({@code
     * written}, which this request's changes left as the other writer stored it), or gone when the other writer
     * removed it, so that a later whole write (a new id) does not put back what that writer replaced; and who the row
     * now records as logged in ({@code principal}, as the other writer left it).
     */
    public void unloadedAsWritten(Map<String, byte[]> written, String principal) {
        Unloaded notLoaded = unloaded;
        if (notLoaded == null) {
            return;
        }
        Map<String, byte[]> now = new HashMap<>();
        for (String name : notLoaded.attributes().keySet()) {
            byte[] bytes = written.get(name);
            if (bytes != null) {
                now.put(name, bytes);
            }
        }
        unloaded = now.isEmpty() ? null : new Unloaded(Map.copyOf(now), principal);
    }

    /**
     * The names of the unloaded attributes a write carries over as the row holds them: those the application has not
     * set or removed by name since (it cannot see them, but it may name them).
     */
    public Set<String> carriedUnloaded() {
        return carriedUnloaded(unloaded());
    }

    /** As {@link #carriedUnloaded()}, of these unloaded attributes (as {@link #unloaded()} gave them). */
    public Set<String> carriedUnloaded(Map<String, byte[]> notLoaded) {
        if (notLoaded.isEmpty()) {
            return Set.of();
        }
        Set<String> set = namesSet();
        Set<String> carried = new HashSet<>();
        for (String name : notLoaded.keySet()) {
            if (!set.contains(name) && !_attributes.containsKey(name)) {
                carried.add(name);
            }
        }
        return carried;
    }

    /**
     * Puts an attribute read from the row, without marking it changed: one by one, as Jetty's own stores do, since
     * {@code putAllAttributes} makes the concurrent map presize to twice the table it needs.
     */
    void putStored(String name, Object value) {
        _attributes.put(name, value);
    }

    /**
     * Drops every change not saved in favour of the row as {@code fresh}, a new load of it, found it: its attributes,
     * its timeout, and what the store knows of them; nothing is left to write, and no refusal is pending any more.
     */
    public void restore(TrackedSessionData fresh) {
        takeAttributesFrom(fresh);
        if (getMaxInactiveMs() != fresh.getMaxInactiveMs()) {
            setMaxInactiveMs(fresh.getMaxInactiveMs());
            setExpiry(calcExpiry(getAccessed()));
        }
        timeoutStored();
        clean();
        refused = null;
    }

    /**
     * Drops every change not saved when the row is gone: nothing of the session is left to put back, so its
     * attributes go, and no write is tried.
     */
    public void restoreGone() {
        clearAllAttributes();
        unloaded = null;
        namesSet = null;
        setters = null;
        markDeletedElsewhere();
        clean();
        refused = null;
    }

    /**
     * Marks that this data holds changes the database refused (the request was answered 503), which must give way to
     * the row's before anyone uses or saves the session: {@code put back} reads the row and puts it in place of them.
     */
    public void refused(RefusedChanges putBack) {
        this.refused = putBack;
    }

    /** What puts the row back in place of refused changes, while they are pending; else null. */
    public RefusedChanges refusedChanges() {
        return refused;
    }

    /**
     * Jetty sets the access time as a request takes the session, before the application sees it ({@code
     * ManagedSession.access}): changes the database refused that could not be dropped then (it could not be read)
     * are dropped here, so that the request finds the session as the row holds it. If the row still cannot be read,
     * the changes stay pending: the request's save then tries again, and fails, as the database does.
     */
    @Override
    public void setAccessed(long accessed) {
        super.setAccessed(accessed);
        RefusedChanges pending = refused;
        if (pending != null) {
            pending.tryPutBack(this);
        }
    }

    /** Puts a session's row back in place of changes the database refused. */
    public interface RefusedChanges {
        /** Tries now; on failure the changes stay pending, and the reason is logged. */
        void tryPutBack(TrackedSessionData data);
    }

    /** Records the times a write of this data just gave the row (see {@link #unwrittenExpiryOnly}). */
    public void metadataWritten() {
        this.writtenAccessed = getAccessed();
        this.writtenExpiry = getExpiry();
        this.writtenCookieSet = getCookieSet();
    }

    /**
     * True when all this data holds beyond what this node last wrote from it is an expiry at most {@code lagMs}
     * later: the same access, no timeout set and no cookie sent since. That is the save Jetty makes as a request lets
     * go of a session its response already saved ({@code flushOnResponseCommit}): only the expiry moved, by the time
     * the request took since it began. Whether an attribute changed (set, or in place) is the caller's to know.
     */
    public boolean unwrittenExpiryOnly(long lagMs) {
        long moved = getExpiry() - writtenExpiry;
        return getAccessed() == writtenAccessed
                && getCookieSet() == writtenCookieSet
                && !timeoutChanged()
                && moved >= 0
                && moved <= lagMs;
    }

    /** Records that the row now holds this data's timeout, after any write or after taking the row's timeout in. */
    public void timeoutStored() {
        this.storedMaxInactiveMs = getMaxInactiveMs();
    }

    /** True when this data was loaded from or written to a row, so that its attributes can be merged with it. */
    public boolean hasBaseline() {
        return storedNames != null;
    }

    /**
     * Marks that a write found the row gone: another request or node ended the session, and a cache holding this
     * data must drop it rather than serve it again.
     */
    public void markDeletedElsewhere() {
        this.deletedElsewhere = true;
    }

    public boolean isDeletedElsewhere() {
        return deletedElsewhere;
    }

    /**
     * What the row's key column holds, when the row was found under something other than the store's current form of
     * the id (with protected ids: a plain id of before protection, or an old key's hash); null for the current form.
     */
    public String rowKey() {
        return rowKey;
    }

    public void rowKey(String key) {
        this.rowKey = key;
    }

    /**
     * Brings this data, which a request still holds, up to date with a fresh load of its row: an attribute the row
     * holds as this data last knew it keeps its object, and only those changed or added elsewhere take the fresh
     * load's objects (those removed elsewhere go). A request holding an unchanged attribute's object and changing it in
     * place after this keeps its change: the object is still the session's, and is saved as changed in place. The
     * caller has made sure this data holds no change of its own, set or (with {@code saveInPlaceChanges} on) in
     * place, so a kept object is what the row holds; with it off, an object changed in place and never saved stays
     * as changed, as it would have without this refresh.
     */
    public void takeChangedAttributesFrom(TrackedSessionData fresh) {
        AttributePrints known = storedPrints();
        AttributePrints now = fresh.storedPrints();
        Map<String, Object> unchanged = new HashMap<>();
        if (known != null && now != null) {
            for (String name : now.names()) {
                Object value = getAttribute(name);
                if (value != null && known.contains(name) && known.matches(name, now.printOf(name))) {
                    unchanged.put(name, value);
                }
            }
        }
        clearAllAttributes();
        fresh.getAllAttributes().forEach((name, value) -> putStored(name, unchanged.getOrDefault(name, value)));
        // The row's attributes this node could not load, as the fresh load found them; nothing set is left to prune.
        namesSet = null;
        unloaded = fresh.unloaded;
        stored(now, fresh.storedVersion());
        setRewriteAttributes(fresh.rewriteAttributes());
        rowKey(fresh.rowKey());
    }

    /** Takes the attributes of a fresh load of this session's row in place of this data's own, every object too. */
    private void takeAttributesFrom(TrackedSessionData fresh) {
        clearAllAttributes();
        fresh.getAllAttributes().forEach(this::putStored);
        // The row's attributes this node could not load, as the fresh load found them; nothing set is left to prune.
        namesSet = null;
        unloaded = fresh.unloaded;
        stored(fresh.storedPrints(), fresh.storedVersion());
        setRewriteAttributes(fresh.rewriteAttributes());
        rowKey(fresh.rowKey());
    }

    /**
     * True when the row's attributes must be written again even if none changed: they were loaded from an older
     * layout, or unsealed while the store seals.
     */
    public boolean rewriteAttributes() {
        return rewriteAttributes;
    }

    public void setRewriteAttributes(boolean rewrite) {
        this.rewriteAttributes = rewrite;
    }

    /** The change marks (see {@code ChangeSignals.Mark}) of a session id this data was what its row held at. */
    private record Trust(String id, long session, long all, long board, long sinceMs) {}

    /**
     * Records that a read of the row just found this data to be what it holds, as of these change marks: a cache may
     * use the data without reading the row while the marks stay the same, for a while.
     */
    public void trustUntil(long sessionMark, long allMark, long board, long nowMs) {
        this.trust = new Trust(getId(), sessionMark, allMark, board, nowMs);
    }

    /**
     * After this data's own write, which ran alone and left the row holding exactly this data: moves the trust from
     * the marks of before the write to those after it, when the data was trusted at the former, keeping the time of
     * the read the trust rests on (a write never extends how long a copy goes unread). Otherwise forgets the trust.
     */
    public void carryTrust(long beforeSession, long beforeAll, long beforeBoard, long session, long all, long board) {
        Trust was = trust;
        if (was != null
                && was.id().equals(getId())
                && was.session() == beforeSession
                && was.all() == beforeAll
                && was.board() == beforeBoard) {
            trust = new Trust(was.id(), session, all, board, was.sinceMs());
        } else {
            trust = null;
        }
    }

    /** Forgets any trust: a cache reads the row before using this data next. */
    public void distrust() {
        this.trust = null;
    }

    /**
     * True when a cache's check trusts this data under its present id, on a read no older than {@code trustMs}: only
     * then can a mark carry that trust past a write of it.
     */
    public boolean isTrusted(long nowMs, long trustMs) {
        return isLive(trust, nowMs, trustMs);
    }

    /**
     * True when these are still the marks this data was known current at, for its present id, and the read that
     * showed it is no older than {@code trustMs}.
     */
    public boolean trustedAt(long sessionMark, long allMark, long board, long nowMs, long trustMs) {
        Trust t = trust; // read once: a check on another thread may replace it meanwhile
        return isLive(t, nowMs, trustMs) && t.session() == sessionMark && t.all() == allMark && t.board() == board;
    }

    private boolean isLive(Trust t, long nowMs, long trustMs) {
        return t != null && t.id().equals(getId()) && nowMs >= t.sinceMs() && nowMs - t.sinceMs() < trustMs;
    }
}
