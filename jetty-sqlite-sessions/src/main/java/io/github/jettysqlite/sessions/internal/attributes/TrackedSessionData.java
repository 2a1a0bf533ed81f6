package io.github.jettysqlite.sessions.internal.attributes;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.session.SessionData;

/**
 * Jetty's session data, plus what the store knows of the row it was loaded from or last written to. Jetty marks the
 * whole map dirty without saying which attribute changed ({@code setDirty(String)} records no name), but it lets the
 * store create the {@code SessionData} objects ({@code newSessionData}), so the store keeps the names here, together
 * with each attribute's serialized form as stored and the version the attributes were at: what it needs to write
 * only this request's changes onto the row as it is now.
 */
public final class TrackedSessionData extends SessionData {
    /** The row's attributes version is not known: the next attribute write reads the row and merges. */
    public static final long UNKNOWN_VERSION = -1;

    private final Set<String> namesSet = ConcurrentHashMap.newKeySet();
    private volatile Map<String, byte[]> stored;
    private volatile long storedVersion = UNKNOWN_VERSION;
    private volatile boolean rewriteAttributes;
    private volatile long storedMaxInactiveMs;
    private volatile boolean deletedElsewhere;
    private volatile String rowKey;
    private volatile long trustedSessionMark = -1;
    private volatile long trustedAllMark = -1;
    private volatile long trustedSinceMs;

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
        namesSet.add(name);
        super.setDirty(name);
    }

    /** Names given to {@code setAttribute} (set or removed) since the attributes were last stored. */
    public Set<String> namesSet() {
        return namesSet;
    }

    /** Each attribute's serialized bytes as the row held them when loaded or last written; null when unknown. */
    public Map<String, byte[]> storedAttributes() {
        return stored;
    }

    /** The row's attributes version when loaded or last written, or {@link #UNKNOWN_VERSION}. */
    public long storedVersion() {
        return storedVersion;
    }

    /** Records what the row now holds of this session's own attributes, after a load or a write. */
    public void stored(Map<String, byte[]> attributes, long version) {
        this.stored = attributes;
        this.storedVersion = version;
        this.storedMaxInactiveMs = getMaxInactiveMs();
        this.namesSet.clear();
        this.rewriteAttributes = false;
    }

    /**
     * Drops every change not saved: the attributes become {@code stored} (what the row held, deserialized afresh), the
     * timeout the one last stored, and nothing is left to write.
     */
    public void restore(Map<String, Object> stored) {
        clearAllAttributes();
        putAllAttributes(stored);
        namesSet.clear();
        if (timeoutChanged()) {
            setMaxInactiveMs(storedMaxInactiveMs);
            setExpiry(calcExpiry(getAccessed()));
        }
        clean();
    }

    /** Records that the row now holds this data's timeout, after any write or after taking the row's timeout in. */
    public void timeoutStored() {
        this.storedMaxInactiveMs = getMaxInactiveMs();
    }

    /** True when this data was loaded from or written to a row, so that its attributes can be merged with it. */
    public boolean hasBaseline() {
        return stored != null;
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
     * Takes the attributes of a fresh load of this session's row in place of this data's own, with what the store
     * knows of them: for a session a cache must bring up to date while a request still holds it.
     */
    public void takeAttributesFrom(TrackedSessionData fresh) {
        clearAllAttributes();
        putAllAttributes(fresh.getAllAttributes());
        stored(fresh.storedAttributes(), fresh.storedVersion());
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

    /**
     * Records that this data is what its row holds as of these change marks (see {@code ChangeSignals}): a cache may
     * use it without reading the row while the marks stay the same, for a while.
     */
    public void trustUntil(long sessionMark, long allMark, long nowMs) {
        this.trustedSessionMark = -1;
        this.trustedAllMark = allMark;
        this.trustedSinceMs = nowMs;
        this.trustedSessionMark = sessionMark;
    }

    /** Forgets any mark: a cache reads the row before using this data next. */
    public void distrust() {
        this.trustedSessionMark = -1;
    }

    /** True when these are still the marks this data was recorded current at, no longer than {@code trustMs} ago. */
    public boolean trustedAt(long sessionMark, long allMark, long nowMs, long trustMs) {
        long session = trustedSessionMark;
        return session >= 0
                && session == sessionMark
                && trustedAllMark == allMark
                && nowMs - trustedSinceMs < trustMs
                && nowMs >= trustedSinceMs;
    }
}
