package io.github.jettysqlite.benchmarks;

import java.util.EnumSet;
import java.util.Set;

/** The measured operations, in the order they run on a subject. */
enum Operation {
    STORE_NEW("store new"),
    UPDATE("update (attribute changed)"),
    UPDATE_CONFLICT("update, other copy wrote since"),
    TOUCH("metadata-only update"),
    LOAD("load"),
    EXISTS("exists"),
    DELETE("delete"),
    BATCH100("store new, 100 rows/tx (rows/s)"),
    SELECT_ONLY("PK select, no deserialization");

    static final Set<Operation> STORE_OPERATIONS = EnumSet.range(STORE_NEW, DELETE);

    final String label;

    Operation(String label) {
        this.label = label;
    }
}
