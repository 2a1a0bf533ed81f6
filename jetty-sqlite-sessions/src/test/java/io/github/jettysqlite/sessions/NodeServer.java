package io.github.jettysqlite.sessions;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.session.DefaultSessionIdManager;
import org.eclipse.jetty.session.NullSessionCacheFactory;

/**
 * Child process of {@link TwoProcessesTest}: one Jetty node with no session cache (every request loads from and
 * stores to the file) and a counter in the session. Prints {@code READY <port>} once it listens.
 */
public final class NodeServer {
    private NodeServer() {}

    public static void main(String[] args) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        DefaultSessionIdManager ids = new DefaultSessionIdManager(server);
        ids.setWorkerName(args[1]);
        server.addBean(ids, true);
        // Requests of one session alternate between nodes, so a node must save before it answers: Jetty's
        // flushOnResponseCommit, as its documentation advises for clusters without sticky sessions.
        NullSessionCacheFactory cache = new NullSessionCacheFactory();
        cache.setFlushOnResponseCommit(true);
        server.addBean(cache);
        server.addBean(new SQLiteSessionDataStoreFactory(Path.of(args[0])));
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        context.addServlet(Counter.class, "/");
        server.setHandler(context);
        server.start();
        System.out.println("READY " + connector.getLocalPort());
        server.join();
    }

    /** {@code GET /} adds one to the session's count; {@code GET /?peek} only reads it. Answers the count. */
    public static final class Counter extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            HttpSession session = request.getSession(true);
            Integer count = (Integer) session.getAttribute("count");
            int value = count == null ? 0 : count;
            if (request.getParameter("peek") == null) {
                value++;
                session.setAttribute("count", value);
            }
            response.getWriter().print(session.getId() + " " + value);
        }
    }
}
