package io.github.jettysqlite.sessions;

/**
 * Who checkpoints an SQLite session database: copies the pages of its write-ahead log into the file, so that the
 * log can start over.
 *
 * <p>{@link #STORE} (the default): the store, on a thread of its own and never inside a request's commit, keeping
 * the log to about 16 MiB.
 *
 * <p>{@link #EXTERNAL}: another process that must be the only one to checkpoint, as Litestream must be to replicate
 * the file. Litestream copies the log as it grows and holds a read transaction open so that nobody else can
 * checkpoint past what it copied; a checkpointer of the store's would wait on that transaction in vain, holding
 * writes back each time, and one that got through between Litestream's own checkpoints would restart the log under
 * it, which Litestream can only make up for with a new snapshot of the whole file. With {@code EXTERNAL} the store
 * never checkpoints and SQLite's automatic checkpoint stays off: the log grows until that process checkpoints it,
 * so it must run whenever the store writes.
 */
public enum Checkpoints {
    STORE,
    EXTERNAL
}
