package io.github.jettysqlite.benchmarks;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One resource per benchmark thread, opened on that thread's first call and kept until {@link #close}. A benchmark
 * thread is known by its {@link Measure#lane() lane}: the cells start fresh threads, but the thread of index i in
 * every cell gets the same resource, so a connection lives as long as the subject, as a thread of a server would
 * keep one. A lane is used by one thread at a time (cells run one after another).
 */
final class Lanes<T extends AutoCloseable> implements AutoCloseable {
    /** Opens the resource of a lane. */
    @FunctionalInterface
    interface Opener<T> {
        T open() throws Exception;
    }

    private final Opener<T> opener;
    private final Map<String, T> open = new ConcurrentHashMap<>();

    Lanes(Opener<T> opener) {
        this.opener = opener;
    }

    /** The calling thread's resource, opened now if it has none yet. */
    T get() throws Exception {
        String lane = Measure.lane();
        T resource = open.get(lane);
        if (resource == null) {
            resource = opener.open();
            open.put(lane, resource);
        }
        return resource;
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (T resource : open.values()) {
            try {
                resource.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }
}
