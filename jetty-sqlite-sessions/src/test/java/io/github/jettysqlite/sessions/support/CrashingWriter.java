package io.github.jettysqlite.sessions;

import java.nio.file.Path;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;

/**
 * Child process of {@link CrashSafetyTest}: stores sessions as fast as it can and prints each id only after
 * {@code store()} returned, that is, after the store acknowledged it. Runs until killed.
 */
public final class CrashingWriter {
    private CrashingWriter() {}

    public static void main(String[] args) throws Exception {
        SQLiteSessionDataStore store = new SQLiteSessionDataStore(new SQLiteSessionSettings(Path.of(args[0])));
        store.initialize(new StoreFixture.FixedSessionContext("crash", "/app", SessionContext.NULL_VHOST));
        store.start();
        for (int i = 0; ; i++) {
            String id = "s" + i;
            SessionData data = store.newSessionData(id, i, i, i, 60_000);
            data.setAttribute("payload", CrashSafetyTest.payloadOf(id));
            store.store(id, data);
            System.out.println(id);
        }
    }
}
