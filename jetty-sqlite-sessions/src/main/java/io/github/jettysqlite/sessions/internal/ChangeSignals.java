package io.github.jettysqlite.sessions.internal;

/**
 * What every writer of one database announces, so that a cache can tell without reading the table that nothing it
 * holds was changed since it last read it. A writer announces a change of a session that a cache would hold
 * differently (its attributes, its timeout, the row deleted or created anew) before the write and again after it
 * committed or failed; a change of many rows at once (a sweep, an administrator's deletion) is announced for all.
 * Writes of access times alone are not announced: a cache takes them in when it reads the row for another reason.
 *
 * <p>A {@link Mark} says how many announced changes had ended, for the session's slot and for all, when no change of
 * either was under way. A cache that read a session's row after taking a mark holds what the row held then; while
 * the same mark is given again, no change of that session has begun since.
 */
public interface ChangeSignals {
    /** Changes announced and ended so far, for one session's slot and for all sessions, on one board. */
    record Mark(long session, long all, long board) {}

    /**
     * A change under way, to end with {@link #end}.
     *
     * @param origin what the signals began it on, when they need to know at its end (null otherwise)
     */
    record Change(
            int slot,
            long startedBefore,
            long endedBefore,
            long allStartedBefore,
            long allEndedBefore,
            long board,
            Object origin) {
        public Change(
                int slot,
                long startedBefore,
                long endedBefore,
                long allStartedBefore,
                long allEndedBefore,
                long board) {
            this(slot, startedBefore, endedBefore, allStartedBefore, allEndedBefore, board, null);
        }

        /** The session's mark when the change began, or null when another change was under way then. */
        public Mark markBefore() {
            return startedBefore == endedBefore && allStartedBefore == allEndedBefore
                    ? new Mark(endedBefore, allEndedBefore, board)
                    : null;
        }
    }

    /** Signals of a database that has none: no mark is ever given, so a cache always reads the row. */
    ChangeSignals NONE = new ChangeSignals() {
        @Override
        public Mark mark(String table, SessionScope scope, String id) {
            return null;
        }

        @Override
        public Change begin(String table, SessionScope scope, String id) {
            return null;
        }

        @Override
        public Change beginAll() {
            return null;
        }

        @Override
        public Mark end(Change change) {
            return null;
        }
    };

    /** The session's mark now, or null when a change of it (or of all) is under way or nothing is known. */
    Mark mark(String table, SessionScope scope, String id);

    /**
     * The session's mark as this process knows it this moment, without first catching up with what other processes
     * announced (which {@link #mark} may wait for): enough to tell that no change began since an earlier mark, as a
     * change committed meanwhile moves the next {@link #mark}.
     */
    default Mark markKnown(String table, SessionScope scope, String id) {
        return mark(table, scope, id);
    }

    /**
     * True when {@link #markKnown} may miss changes other processes committed that {@link #mark} would catch up with
     * first (at a cost): a cache then looks at the known mark first, and pays for catching up only when that mark
     * would let it skip reading the row.
     */
    default boolean knownMarksMayLag() {
        return false;
    }

    /** Announces that a change of one session begins. */
    Change begin(String table, SessionScope scope, String id);

    /**
     * Announces that a session's removal begins (a logout, an administrator's deletion), announced like any change;
     * its writer asks for no mark after it (the session is gone), which saves reads where marks cost some.
     */
    default Change beginRemoval(String table, SessionScope scope, String id) {
        return begin(table, scope, id);
    }

    /**
     * Announces that a session's creation begins: a first write, which may replace only that session's own row (a
     * retry) or an expired one, so it is announced like any change; but the writer asks for no mark after it, and
     * its cache reads the row once when it next uses the session. Where marks cost reads of their own, a creation
     * saves them.
     */
    default Change beginCreation(String table, SessionScope scope, String id) {
        return begin(table, scope, id);
    }

    /**
     * Announces that a change of one session begins, for a writer that wants no mark after it: no cache trusts the
     * data it writes, so there is no trust for a mark to carry. Other processes see the change as any other. Where
     * marks cost reads of their own, this saves them.
     */
    default Change beginUnmarked(String table, SessionScope scope, String id) {
        return begin(table, scope, id);
    }

    /** Announces that a change of any number of sessions begins. */
    Change beginAll();

    /**
     * Announces that the change ended (committed, or failed: a failed change looks like one that happened, which
     * only makes caches read the row once more).
     *
     * @return the session's mark after this change when no other change of it or of all ran beside it (so a copy that
     *     was what the row held at {@link Change#markBefore()}, and that this change wrote, still is); otherwise null
     */
    Mark end(Change change);
}
