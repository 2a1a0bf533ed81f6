package io.github.jettysqlite.benchmarks;

import org.eclipse.jetty.session.SessionData;

/**
 * A session as the benchmark keeps it in memory: Jetty's {@link SessionData} with the attributes of its
 * {@link Shape} (among them {@code payload}, a byte array the chosen size scales, and {@code v}, a version bumped by
 * every update so loads can check they see the last store). One thread uses a given session at a time.
 */
final class BenchSession {
    final String id;
    final SessionData data;
    final int size;
    final Shape shape;
    int version;
    /** A second copy of this session, as another request loaded it, for the conflicting-update cells. */
    SessionData rival;

    private boolean rivalsTurn;

    BenchSession(String id, SessionData data, int size, Shape shape) {
        this.id = id;
        this.data = data;
        this.size = size;
        this.shape = shape;
    }

    static final String PAYLOAD = "payload";
    static final String VERSION = "v";
    static final long MAX_INACTIVE_MS = 30 * 60 * 1000L;

    /** Fills a fresh session the same way for every subject. */
    static BenchSession of(SessionData data, int size, Shape shape) {
        data.setLastNode(Sessions.NODE);
        shape.fill(data, size);
        return new BenchSession(data.getId(), data, size, shape);
    }

    /** A new version of the attributes: the session becomes dirty. */
    void change() {
        version++;
        data.setAttribute(VERSION, version);
    }

    /**
     * The copy whose turn it is to write, alternating between {@link #data} and {@link #rival}, with {@code v}
     * set to a new version: each write comes from the copy that did not write last.
     */
    SessionData nextConflictingChange() {
        rivalsTurn = !rivalsTurn;
        SessionData copy = rivalsTurn ? rival : data;
        version++;
        copy.setAttribute(VERSION, version);
        return copy;
    }

    /** What a request that only read the session does: access times and expiry move on, attributes stay. */
    void access() {
        long now = System.currentTimeMillis();
        data.setLastAccessed(data.getAccessed());
        data.setAccessed(now);
        data.setExpiry(data.calcExpiry(now));
        data.setMetaDataDirty(true);
    }

    /** True when the loaded data holds this session's attributes as last stored, each equal to what was stored. */
    boolean matches(SessionData loaded) {
        return Shape.sameAttributes(data, loaded, version);
    }
}
