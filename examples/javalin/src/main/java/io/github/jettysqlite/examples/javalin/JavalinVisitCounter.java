package io.github.jettysqlite.examples.javalin;

import io.github.jettysqlite.sessions.CoherentSessionCacheFactory;
import io.github.jettysqlite.sessions.SQLiteSessionDataStoreFactory;
import io.javalin.Javalin;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.session.SessionCache;

/**
 * A Javalin 7 app whose sessions live in SQLite: {@code GET /} answers {@code visits: N}, counted in the session.
 * The session handler is given to Javalin the way its documentation shows for custom session stores.
 */
public final class JavalinVisitCounter {
    private JavalinVisitCounter() {}

    public static void main(String[] args) {
        create(Path.of(args.length > 0 ? args[0] : "sessions.db")).start(8080);
    }

    public static Javalin create(Path database) {
        return Javalin.create(config -> {
            config.jetty.modifyServletContextHandler(handler -> handler.setSessionHandler(sqliteSessions(database)));
            config.routes.get("/", ctx -> {
                Integer previous = ctx.sessionAttribute("visits");
                int visits = previous == null ? 1 : previous + 1;
                ctx.sessionAttribute("visits", visits);
                ctx.result("visits: " + visits);
            });
        });
    }

    /**
     * A session handler whose sessions live in the SQLite file, cached in memory and checked against the file before
     * each request uses one, so that other processes on the same file may change or end them.
     */
    static SessionHandler sqliteSessions(Path database) {
        SessionHandler sessions = new SessionHandler();
        SessionCache cache = new CoherentSessionCacheFactory().getSessionCache(sessions);
        cache.setSessionDataStore(new SQLiteSessionDataStoreFactory(database).getSessionDataStore(sessions));
        sessions.setSessionCache(cache);
        return sessions;
    }
}
