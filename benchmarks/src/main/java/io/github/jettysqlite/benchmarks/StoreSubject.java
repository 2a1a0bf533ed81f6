package io.github.jettysqlite.benchmarks;

import java.nio.file.Path;
import java.util.Set;
import org.eclipse.jetty.session.AbstractSessionDataStore;

/**
 * A Jetty session data store measured through its public contract ({@code store}, {@code load}, {@code exists},
 * {@code delete}), as a session cache calls it: {@code store} applies the save-period rule and, for a session
 * stored before whose attributes did not change, passes {@code lastSaveTime > 0} to {@code doStore}.
 */
final class StoreSubject implements Subject {
    private final String name;
    private final AbstractSessionDataStore store;
    private final AutoCloseable cleanup;
    private final Path databaseFile;

    StoreSubject(String name, AbstractSessionDataStore store, AutoCloseable cleanup) throws Exception {
        this(name, store, cleanup, null);
    }

    StoreSubject(String name, AbstractSessionDataStore store, AutoCloseable cleanup, Path databaseFile)
            throws Exception {
        this.name = name;
        this.store = store;
        this.cleanup = cleanup;
        this.databaseFile = databaseFile;
        store.initialize(Sessions.context());
        store.start();
    }

    AbstractSessionDataStore store() {
        return store;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Path databaseFile() {
        return databaseFile;
    }

    @Override
    public Set<Operation> operations() {
        return Operation.STORE_OPERATIONS;
    }

    @Override
    public BenchSession create(String id, int size, Shape shape) {
        long now = System.currentTimeMillis();
        return BenchSession.of(store.newSessionData(id, now, now, now, BenchSession.MAX_INACTIVE_MS), size, shape);
    }

    @Override
    public int storeNew(BenchSession s) throws Exception {
        store.store(s.id, s.data);
        return 1;
    }

    @Override
    public int update(BenchSession s) throws Exception {
        s.change();
        store.store(s.id, s.data);
        return 1;
    }

    @Override
    public int updateConflicting(BenchSession s) throws Exception {
        if (s.rival == null) {
            throw new IllegalStateException("no second copy of " + s.id + " was loaded");
        }
        store.store(s.id, s.nextConflictingChange());
        return 1;
    }

    /** Loads the second copy {@link #updateConflicting} alternates with. */
    void loadRival(BenchSession s) throws Exception {
        s.rival = store.load(s.id);
    }

    @Override
    public int touch(BenchSession s) throws Exception {
        s.access();
        if (s.data.isDirty() || s.data.getLastSaved() <= 0) {
            return 0; // would not be a metadata-only update
        }
        store.store(s.id, s.data);
        return 1;
    }

    @Override
    public int load(BenchSession s) throws Exception {
        return s.matches(store.load(s.id)) ? 1 : 0;
    }

    @Override
    public int exists(BenchSession s) throws Exception {
        return store.exists(s.id) ? 1 : 0;
    }

    @Override
    public int delete(String id) throws Exception {
        return store.delete(id) ? 1 : 0;
    }

    @Override
    public void close() throws Exception {
        store.stop();
        if (cleanup != null) {
            cleanup.close();
        }
    }
}
