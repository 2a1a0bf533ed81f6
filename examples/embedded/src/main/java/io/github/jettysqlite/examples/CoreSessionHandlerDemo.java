package io.github.jettysqlite.examples;

import java.nio.file.Path;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.Session;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.session.SessionHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The visit counter without servlets: Jetty's core {@link SessionHandler} ({@code org.eclipse.jetty.session}, no ee
 * environment) in front of a plain {@link Handler}, with the SQLite store and the coherent cache as in
 * {@link VisitCounterDemo}. {@code GET /} answers {@code visits: N}, N kept in {@code sessions.db}.
 *
 * <p>Arguments: {@code [port [database file]]}, defaults 8080 and {@code sessions.db}.
 */
public final class CoreSessionHandlerDemo {
    private CoreSessionHandlerDemo() {}

    public static void main(String[] args) throws Exception {
        Server server = newServer(
                args.length > 0 ? Integer.parseInt(args[0]) : 8080, Path.of(args.length > 1 ? args[1] : "sessions.db"));
        server.start();
        server.join();
    }

    /** Builds the server; port 0 picks a free port (the tests use that). */
    public static Server newServer(int port, Path database) {
        // The same store and cache as with servlets, as beans on the server, where the core SessionHandler finds them.
        Server server = VisitCounterDemo.newSessionServer(port, database);
        SessionHandler sessions = new SessionHandler();
        sessions.setHandler(new VisitCounter());
        server.setHandler(new ContextHandler(sessions, "/"));
        return server;
    }

    /** Counts the visits of one session, through the core {@link Session} the SessionHandler gives the request. */
    static final class VisitCounter extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Session session = request.getSession(true);
            Integer previous = (Integer) session.getAttribute("visits");
            int visits = previous == null ? 1 : previous + 1;
            session.setAttribute("visits", visits);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
            Content.Sink.write(response, true, "visits: " + visits + "\n", callback);
            return true;
        }
    }
}
