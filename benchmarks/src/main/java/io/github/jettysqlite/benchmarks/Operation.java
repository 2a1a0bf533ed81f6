package io.github.jettysqlite.benchmarks;

import java.util.EnumSet;
import java.util.Set;

/** The measured operations, in the order they run on a subject. */
enum Operation {
    STORE_NEW("store new"),
    UPDATE("update (attribute changed)"),
    TOUCH("metadata-only update"),
    LOAD("load"),
    EXISTS("exists"),
    // After every cell that checks what a base session holds: Jetty's own stores lose one copy's change here.
    UPDATE_CONFLICT("update, other copy wrote since"),
    DELETE("delete"),
    BATCH100("store new, 100 rows/tx (rows/s)"),
    SELECT_ONLY("PK select, no deserialization");

    static final Set<Operation> STORE_OPERATIONS = EnumSet.range(STORE_NEW, DELETE);

    /** The operations that write, for the per-write figures (bytes written, WAL size). */
    static final Set<Operation> WRITES = EnumSet.of(STORE_NEW, UPDATE, UPDATE_CONFLICT, TOUCH, DELETE, BATCH100);

    final String label;

    Operation(String label) {
        this.label = label;
    }
}
