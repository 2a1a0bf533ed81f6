package io.github.jettysqlite.sessions.support;

import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import io.github.jettysqlite.sessions.StoreFixture;
import java.nio.file.Path;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;

/**
 * Child process of {@code HostileBlobIT}: loads each session id given after the database file with the default
 * settings and prints what happened to it ({@code UNREADABLE id cause}, {@code LOADED id bytes last-byte} or
 * {@code OOM id}), then {@code DONE healthy} once the JVM has shown it can still allocate and work.
 */
public final class HostileBlobReader {
    private HostileBlobReader() {}

    public static void main(String[] args) throws Exception {
        SQLiteSessionDataStore store = new SQLiteSessionDataStore(new SQLiteSessionSettings(Path.of(args[0])));
        store.initialize(new StoreFixture.FixedSessionContext("reader", "/app", SessionContext.NULL_VHOST));
        store.start();
        for (int i = 1; i < args.length; i++) {
            String id = args[i];
            try {
                SessionData data = store.load(id);
                byte[] payload = (byte[]) data.getAttribute("payload");
                System.out.println("LOADED " + id + " " + payload.length + " " + payload[payload.length - 1]);
            } catch (OutOfMemoryError e) {
                System.out.println("OOM " + id);
            } catch (Exception e) {
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                System.out.println("UNREADABLE " + id + " " + root);
            }
        }
        // Healthy: a fresh 32 MiB allocation succeeds and the store still answers.
        byte[] probe = new byte[32 * 1024 * 1024];
        probe[probe.length - 1] = 1;
        store.exists(args[1]);
        store.stop();
        System.out.println("DONE " + (probe[probe.length - 1] == 1 ? "healthy" : "broken"));
    }
}
