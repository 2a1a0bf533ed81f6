package io.github.jettysqlite.sessions.cli;

import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import io.github.jettysqlite.sessions.SessionTableDataStore;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStore;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;

/**
 * A real store on a file, as a running Jetty context has it, with a background thread that keeps writing live
 * sessions while a command runs.
 */
final class LiveStore implements AutoCloseable {
    final SessionTableDataStore store;
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final AtomicLong written = new AtomicLong();
    private final Thread writer;

    LiveStore(Path file, String contextPath) throws Exception {
        this(new SQLiteSessionSettings(file), contextPath);
    }

    /** A store on a file with settings of the test's own (a sealing key, say). */
    LiveStore(SQLiteSessionSettings settings, String contextPath) throws Exception {
        this(new SQLiteSessionDataStore(settings), contextPath);
    }

    /** A store on the PostgreSQL server this URL names. */
    LiveStore(String postgresUrl, String contextPath) throws Exception {
        this(new PostgreSQLSessionDataStore(new PostgreSQLSessionSettings(postgresUrl)), contextPath);
    }

    private LiveStore(SessionTableDataStore store, String contextPath) throws Exception {
        this.store = store;
        store.initialize(new Context(contextPath));
        store.start();
        writer = new Thread(() -> {
            while (writing.get()) {
                try {
                    put("live-" + written.getAndIncrement(), System.currentTimeMillis() + 3_600_000, "busy");
                    // A pace (a live server's stream of saves), not a wait: the tests wait on the count written.
                    Thread.sleep(2);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        writer.setDaemon(true);
    }

    LiveStore startWriting() {
        writer.start();
        return this;
    }

    private static final long CREATED = System.currentTimeMillis() - 60_000;

    void put(String id, long expiry, String user) throws Exception {
        long now = System.currentTimeMillis();
        // One creation time for every session: writing an id again is the same session written again (a store
        // refuses to write a new session over another live one, which it tells by the creation time).
        SessionData data = store.newSessionData(id, CREATED, now, now - 1_000, expiry <= 0 ? -1 : 60_000);
        data.setExpiry(expiry);
        data.setLastNode("node0");
        data.setAttribute("user", user);
        store.store(id, data);
    }

    /** Loads the session, changes its user and stores it, as a request that changes an attribute does. */
    void update(String id, String user) throws Exception {
        SessionData data = store.load(id);
        data.setAttribute("user", user);
        store.store(id, data);
    }

    long written() {
        return written.get();
    }

    @Override
    public void close() throws Exception {
        writing.set(false);
        if (writer.isAlive()) {
            writer.join(10_000);
        }
        store.stop();
    }

    /** A context without a web application around it. */
    private static final class Context extends SessionContext {
        Context(String contextPath) {
            _workerName = "node0";
            _canonicalContextPath = contextPath;
            _vhost = NULL_VHOST;
        }
    }
}
