package io.github.jettysqlite.sessions.metrics;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A count that costs a query, taken at most every {@value SessionStoreMetrics#COUNT_MAX_AGE_SECONDS} s; NaN when it
 * failed.
 */
final class CachedCount {
    private static final Logger LOG = LoggerFactory.getLogger(SessionStoreMetrics.class);

    /** The query behind the count. */
    @FunctionalInterface
    interface Query {
        long run() throws Exception;
    }

    private final Query query;
    private double value = Double.NaN;
    private long takenNanos;
    private boolean taken;

    CachedCount(Query query) {
        this.query = query;
    }

    synchronized double value() {
        long now = System.nanoTime();
        if (!taken || now - takenNanos > TimeUnit.SECONDS.toNanos(SessionStoreMetrics.COUNT_MAX_AGE_SECONDS)) {
            taken = true;
            takenNanos = now;
            try {
                value = query.run();
            } catch (Exception e) {
                LOG.debug("Cannot count sessions for a gauge", e);
                value = Double.NaN;
            }
        }
        return value;
    }
}
