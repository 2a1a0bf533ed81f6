package io.github.jettysqlite.examples;

import io.github.jettysqlite.sessions.CoherentSessionCacheFactory;
import io.github.jettysqlite.sessions.SQLiteSessionDataStoreFactory;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;

/**
 * The smallest useful embedded server with SQLite sessions: {@code GET /} answers {@code visits: N}, where N is kept
 * in the session and so in {@code sessions.db}. Stop the server, start it again, and the count goes on.
 *
 * <p>Arguments: {@code [port [database file]]}, defaults 8080 and {@code sessions.db}.
 */
public final class VisitCounterDemo {
    private VisitCounterDemo() {}

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        Path database = Path.of(args.length > 1 ? args[1] : "sessions.db");
        Server server = newServer(port, database);
        server.start();
        System.out.println("Visit counter on http://localhost:"
                + server.getURI().getPort() + "/ with sessions in " + database.toAbsolutePath());
        server.join();
    }

    /** Builds the server; port 0 picks a free port (the tests use that). */
    public static Server newServer(int port, Path database) {
        Server server = newSessionServer(port, database);
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        context.addServlet(VisitCounter.class, "/");
        server.setHandler(context);
        return server;
    }

    /**
     * A server whose contexts keep their sessions in the file, with no handler yet: what this demo and
     * {@link CoreSessionHandlerDemo} share.
     */
    static Server newSessionServer(int port, Path database) {
        Server server = new Server(port);
        // Ctrl-C stops Jetty before the JVM goes: every store closes its database, which checkpoints and removes the
        // WAL.
        server.setStopAtShutdown(true);
        // Two beans on the server, which every context's SessionHandler finds (a servlet context's, or Jetty core's):
        // the store keeps its sessions in the file, and the cache keeps them in memory, checked against the file
        // before each request uses one (so that other processes on the same file may change or end them).
        server.addBean(new SQLiteSessionDataStoreFactory(database));
        server.addBean(new CoherentSessionCacheFactory());
        return server;
    }

    /** Counts the visits of one browser session. */
    public static final class VisitCounter extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            HttpSession session = request.getSession(true);
            Integer previous = (Integer) session.getAttribute("visits");
            int visits = previous == null ? 1 : previous + 1;
            session.setAttribute("visits", visits);
            response.setContentType("text/plain;charset=utf-8");
            response.getWriter().println("visits: " + visits);
        }
    }
}
