package io.github.jettysqlite.sessions.internal.attributes;

/**
 * A request that set attributes of a session, as the layer answering requests knows it: when a save of the session is
 * refused, the changes of every request sharing its data are dropped together, and each such request must be refused
 * too (see {@link TrackedSessionData#takeSetters}).
 */
public interface SettingRequest {
    /** Whether its response has gone out: it can no longer be refused, and need not be remembered. */
    boolean answered();

    /** Its changes were dropped with a refused save: its response must be refused too. */
    void refuse();

    /** Whether it was refused that way. */
    boolean refused();
}
