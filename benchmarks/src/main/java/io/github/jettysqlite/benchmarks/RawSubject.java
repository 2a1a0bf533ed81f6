package io.github.jettysqlite.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.session.SessionData;

/**
 * The raw SQLite ceiling: sqlite-jdbc with statements prepared once ({@link RawTable}), each call its own
 * transaction (or one transaction of 100 rows for {@link Operation#BATCH100}). {@code raw/…} has one long-lived
 * connection its threads take turns on; {@code raw-perthread/…} gives each benchmark thread a connection of its own
 * ({@link Lanes}), the ceiling for "a connection per thread running the same SQL". Writes bind attribute bytes
 * serialized once per size and shape, so no serialization is counted; {@link #load} deserializes as Jetty does and
 * checks every attribute against the session those bytes came from; {@link #selectOnly} does not deserialize.
 */
final class RawSubject implements Subject {
    /** A call on one connection. */
    @FunctionalInterface
    private interface Call<R> {
        R on(RawTable table) throws Exception;
    }

    /** The session whose attributes were serialized for a size and shape, and those bytes. */
    private record Template(SessionData data, byte[] attributes) {}

    private final String name;
    private final Path file;
    private final RawTable shared;
    private final Lanes<RawTable> perThread;
    private final Map<String, Template> templates = new ConcurrentHashMap<>();
    private final AtomicLong batchIds = new AtomicLong();

    /** Creates the table; {@code connectionPerThread} chooses between the two kinds above. */
    RawSubject(String name, Path file, String synchronous, boolean connectionPerThread) throws Exception {
        this.file = file;
        this.name = name;
        RawTable first = new RawTable(file, synchronous, true);
        if (connectionPerThread) {
            first.close();
            shared = null;
            perThread = new Lanes<>(() -> new RawTable(file, synchronous, false));
        } else {
            shared = first;
            perThread = null;
        }
    }

    private <R> R call(Call<R> call) throws Exception {
        if (perThread != null) {
            return call.on(perThread.get());
        }
        synchronized (shared) {
            return call.on(shared);
        }
    }

    @Override
    public Path databaseFile() {
        return file;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<Operation> operations() {
        return EnumSet.complementOf(EnumSet.of(Operation.UPDATE_CONFLICT));
    }

    @Override
    public BenchSession create(String id, int size, Shape shape) {
        long now = System.currentTimeMillis();
        SessionData data =
                new SessionData(id, Sessions.CONTEXT_PATH, Sessions.VHOST, now, now, now, BenchSession.MAX_INACTIVE_MS);
        return BenchSession.of(data, size, shape);
    }

    private Template template(BenchSession s) {
        return templates.computeIfAbsent(s.shape.label() + "-" + s.size, key -> {
            try {
                return new Template(s.data, Sessions.serialize(s.data));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Override
    public int storeNew(BenchSession s) throws Exception {
        byte[] attributes = template(s).attributes();
        s.data.setLastSaved(System.currentTimeMillis());
        return call(t -> {
            t.upsert(s.id, s.data, attributes);
            return 1;
        });
    }

    @Override
    public int update(BenchSession s) throws Exception {
        s.change();
        return storeNew(s);
    }

    @Override
    public int touch(BenchSession s) throws Exception {
        s.access();
        s.data.setLastSaved(System.currentTimeMillis());
        return call(t -> t.touch(s.data));
    }

    @Override
    public int load(BenchSession s) throws Exception {
        RawTable.Row row = call(t -> t.load(s.id));
        if (row == null) {
            return 0;
        }
        SessionData data = new SessionData(
                s.id,
                Sessions.CONTEXT_PATH,
                Sessions.VHOST,
                row.created(),
                row.created(),
                row.created(),
                BenchSession.MAX_INACTIVE_MS);
        Sessions.deserialize(data, row.attributes());
        // Every row holds the bytes of its size's and shape's template, whose version is 0.
        return Shape.sameAttributes(template(s).data(), data, 0) ? 1 : 0;
    }

    @Override
    public int selectOnly(BenchSession s) throws Exception {
        RawTable.Row row = call(t -> t.load(s.id));
        return row != null && row.attributes().length > s.shape.payloadLength(s.size) ? 1 : 0;
    }

    @Override
    public int exists(BenchSession s) throws Exception {
        return call(t -> t.exists(s.id, System.currentTimeMillis())) ? 1 : 0;
    }

    @Override
    public int delete(String id) throws Exception {
        return call(t -> t.delete(id));
    }

    @Override
    public int storeBatch100(int size, Shape shape) throws Exception {
        BenchSession template = create("template", size, shape);
        byte[] attributes = template(template).attributes();
        List<String> ids = new ArrayList<>(100);
        for (int i = 0; i < 100; i++) {
            ids.add("batch-" + batchIds.incrementAndGet());
        }
        return call(t -> {
            t.upsertAll(ids, template.data, attributes);
            return 100;
        });
    }

    @Override
    public void close() throws Exception {
        if (perThread != null) {
            perThread.close();
        } else {
            shared.close();
        }
    }
}
