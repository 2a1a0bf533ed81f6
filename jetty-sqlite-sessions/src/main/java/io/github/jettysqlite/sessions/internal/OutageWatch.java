package io.github.jettysqlite.sessions.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a database's outages looked like, for operators: one log line when the database stops answering and one
 * when it answers again (never one per request), and counters of retried statements, time spent waiting, work
 * that gave up because the database stayed away longer than the configured wait (or cancelled a statement that ran
 * too long), and saved changes other nodes could not be told of (said in the log once per run of them, with a count
 * when one is told again).
 */
public final class OutageWatch {
    private static final Logger LOG = LoggerFactory.getLogger(OutageWatch.class);

    private final String location;
    /** When the current outage began (System.nanoTime), or 0 while the database answers. */
    private final AtomicLong outageSince = new AtomicLong();

    private final LongAdder outages = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder waitedNanos = new LongAdder();
    private final LongAdder gaveUp = new LongAdder();
    private final LongAdder notAnnounced = new LongAdder();
    /** Saved changes not announced since one last was: 0 while announcements go through. */
    private final AtomicLong notAnnouncedInARow = new AtomicLong();

    public OutageWatch(String location) {
        this.location = location;
    }

    /**
     * A unit of work will be tried again: on a fresh connection after a lost one ({@code outage}), or after the
     * server rolled it back to order it after a concurrent one.
     */
    public void retrying(Throwable cause, long waitMillis, boolean outage) {
        retries.increment();
        if (!outage) {
            return;
        }
        long now = System.nanoTime();
        if (outageSince.compareAndSet(0, now == 0 ? 1 : now)) {
            outages.increment();
            LOG.warn(
                    "Session database {} stopped answering ({}); requests wait up to {} ms for it and are then refused",
                    location,
                    cause.getMessage(),
                    waitMillis);
        }
    }

    /** Time a unit of work spent waiting for the database to come back. */
    public void waited(long nanos) {
        waitedNanos.add(nanos);
    }

    /** A unit of work gave up: the database stayed away past the wait, or cancelled a statement that ran too long. */
    public void gaveUp() {
        gaveUp.increment();
    }

    /** A unit of work succeeded; ends the current outage, if any, with one log line. Cheap when none is open. */
    public void answered() {
        long since = outageSince.get();
        if (since != 0 && outageSince.compareAndSet(since, 0)) {
            LOG.warn(
                    "Session database {} answers again after {} ms",
                    location,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
        }
    }

    /**
     * A saved change that other nodes could not be told of (PostgreSQL: its notification failed twice): their coherent
     * caches see it only within the second they trust a copy.
     *
     * @return whether this one was said in the log (the first since an announcement last went through)
     */
    public boolean changeNotAnnounced(Throwable cause) {
        notAnnounced.increment();
        if (notAnnouncedInARow.getAndIncrement() != 0) {
            return false;
        }
        LOG.warn(
                "A session change on {} was saved, but other nodes could not be told of it ({}); their coherent caches"
                        + " see such changes within a second. Said once until an announcement goes through again",
                location,
                cause.getMessage());
        return true;
    }

    /** A change was announced: if some were not before it, says how many. One volatile read while all are. */
    public void changeAnnounced() {
        if (notAnnouncedInARow.get() == 0) {
            return;
        }
        long missed = notAnnouncedInARow.getAndSet(0);
        if (missed > 0) {
            LOG.info(
                    "Other nodes are told of session changes on {} again; {} change(s) saved meanwhile were not"
                            + " announced (their caches saw them within a second)",
                    location,
                    missed);
        }
    }

    /** True while the database is not answering. */
    public boolean isUnreachable() {
        return outageSince.get() != 0;
    }

    public long outages() {
        return outages.sum();
    }

    public long retries() {
        return retries.sum();
    }

    public double waitedMillis() {
        return waitedNanos.sum() / 1e6;
    }

    public long gaveUpCount() {
        return gaveUp.sum();
    }

    /** Saved changes other nodes could not be told of, in all. */
    public long changesNotAnnounced() {
        return notAnnounced.sum();
    }
}
