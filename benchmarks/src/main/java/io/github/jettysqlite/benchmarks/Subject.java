package io.github.jettysqlite.benchmarks;

import java.nio.file.Path;
import java.util.Set;

/**
 * Something that keeps sessions and that the operations are measured on: a Jetty {@code SessionDataStore} or the
 * raw SQLite ceiling. Every operation returns how many operations it completed, 0 when it returned wrong data.
 */
interface Subject extends AutoCloseable {
    String name();

    /** The SQLite file this subject writes, or null when it keeps sessions elsewhere. */
    default Path databaseFile() {
        return null;
    }

    /** The operations this subject can run. */
    Set<Operation> operations();

    /** A new session held in memory (no I/O) with the attributes of a shape, of about {@code size} bytes. */
    BenchSession create(String id, int size, Shape shape);

    /** Stores a session never stored before. */
    int storeNew(BenchSession s) throws Exception;

    /** Changes an attribute of a stored session and stores it. */
    int update(BenchSession s) throws Exception;

    /**
     * Two requests of one session take turns: each changes {@code v} on its own copy, loaded before the other
     * copy's last write, and stores it. Every write after the first meets a row someone else changed since.
     */
    default int updateConflicting(BenchSession s) throws Exception {
        throw new UnsupportedOperationException();
    }

    /** Stores a session whose attributes did not change: only its access times and expiry moved on. */
    int touch(BenchSession s) throws Exception;

    /** Loads a stored session and checks that it holds what was stored last. */
    int load(BenchSession s) throws Exception;

    int exists(BenchSession s) throws Exception;

    int delete(String id) throws Exception;

    /** Raw ceiling only: 100 new rows in one transaction; returns 100. */
    default int storeBatch100(int size, Shape shape) throws Exception {
        throw new UnsupportedOperationException();
    }

    /** Raw ceiling only: the primary-key select without deserializing the attributes. */
    default int selectOnly(BenchSession s) throws Exception {
        throw new UnsupportedOperationException();
    }

    @Override
    void close() throws Exception;
}
