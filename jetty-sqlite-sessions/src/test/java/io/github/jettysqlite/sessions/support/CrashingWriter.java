package io.github.jettysqlite.sessions.support;

import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import io.github.jettysqlite.sessions.StoreFixture;
import java.nio.file.Path;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;

/**
 * Child process of {@code CrashSafetyIT}: stores sessions as fast as it can and prints each id only after
 * {@code store()} returned, that is, after the store acknowledged it. Runs until killed.
 */
public final class CrashingWriter {
    private CrashingWriter() {}

    /** What the writer stores in each session, so that the test can tell a whole row from a torn one. */
    public static String payloadOf(String id) {
        return (id + ":").repeat(64);
    }

    public static void main(String[] args) throws Exception {
        SQLiteSessionDataStore store = new SQLiteSessionDataStore(new SQLiteSessionSettings(Path.of(args[0])));
        store.initialize(new StoreFixture.FixedSessionContext("crash", "/app", SessionContext.NULL_VHOST));
        store.start();
        for (int i = 0; ; i++) {
            String id = "s" + i;
            SessionData data = store.newSessionData(id, i, i, i, 60_000);
            data.setAttribute("payload", payloadOf(id));
            store.store(id, data);
            System.out.println(id);
        }
    }
}
