package io.github.jettysqlite.examples.visits;

import java.io.Serializable;

/**
 * The visits of one session. A class only this webapp has, so the session store must read it back through the
 * webapp's class loader, as with any javax.servlet application that keeps its own objects in the session.
 */
public final class Visits implements Serializable {
    private static final long serialVersionUID = 1L;

    static final Visits FIRST = new Visits(1);

    private final int count;

    private Visits(int count) {
        this.count = count;
    }

    Visits next() {
        return new Visits(count + 1);
    }

    @Override
    public String toString() {
        return "visits: " + count;
    }
}
