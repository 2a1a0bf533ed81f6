package io.github.jettysqlite.sessions.support;

import io.github.jettysqlite.sessions.CoherentSessionCache;
import io.github.jettysqlite.sessions.CoherentSessionCacheFactory;
import io.github.jettysqlite.sessions.SQLiteSessionDataStoreFactory;
import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import io.github.jettysqlite.sessions.SessionTableDataStore;
import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.session.AbstractSessionCacheFactory;
import org.eclipse.jetty.session.DefaultSessionCacheFactory;
import org.eclipse.jetty.session.DefaultSessionIdManager;
import org.eclipse.jetty.session.HouseKeeper;
import org.eclipse.jetty.session.NullSessionCacheFactory;

/**
 * Child process of the tests that run Jetty nodes in JVMs of their own ({@code AbstractTwoProcessesIT}, {@code
 * AbstractLostUpdateIT}, {@code AbstractCoherentCacheNodesIT}, {@code AbstractRollingDeployNodesIT}, {@code
 * PostgreSQLClusterIT}): one Jetty node with a counter in the session. Prints {@code READY <port>} once it listens.
 *
 * <p>Arguments: the SQLite file or a {@code jdbc:postgresql:} URL, the node's name, and optionally the sessions'
 * maximum inactive interval, the scavenging interval and the store's grace period, all in seconds.
 *
 * <p>The system property {@value #CACHE} chooses the session cache: {@code null} (the default: no cache, every
 * request loads from and stores to the database), {@code default} (Jetty's {@code DefaultSessionCache}) or {@code
 * coherent} ({@link CoherentSessionCache}). Each saves before the response is sent. {@value #BUSY_TIMEOUT_MS} sets an
 * SQLite store's busy timeout and {@value #CONNECTION_TIMEOUT_MS} a PostgreSQL store's connection timeout (how long
 * it waits for a lost server), both in milliseconds, and {@value #CHECKPOINTS} an SQLite store's {@code
 * checkpoints}; unset, the stores' defaults.
 *
 * <p>{@value #WEBAPP_CLASSES} names a directory of classes that only this node's webapp can load: the context's class
 * loader then reads that directory before this JVM's class path, as a newer version of a webapp would see classes
 * an older one lacks (the store deserializes attributes through that loader, which Jetty makes the thread's context
 * class loader around requests and session loads and stores).
 */
public final class NodeServer {
    /** The system property naming the session cache: {@code null}, {@code default} or {@code coherent}. */
    public static final String CACHE = "jss.cache";

    /** The system property setting an SQLite store's {@code busyTimeoutMs}. */
    public static final String BUSY_TIMEOUT_MS = "jss.busyTimeoutMs";

    /** The system property setting an SQLite store's {@code checkpoints}. */
    public static final String CHECKPOINTS = "jss.checkpoints";

    /** The system property setting a PostgreSQL store's {@code connectionTimeoutMs}. */
    public static final String CONNECTION_TIMEOUT_MS = "jss.connectionTimeoutMs";

    /** The system property naming a directory of classes only the webapp's class loader sees. */
    public static final String WEBAPP_CLASSES = "jss.webappClasses";

    private NodeServer() {}

    public static void main(String[] args) throws Exception {
        Server server = node(args[1]);
        if (args.length > 3) {
            HouseKeeper scavenger = new HouseKeeper();
            scavenger.setIntervalSec(Long.parseLong(args[3]));
            server.getBean(DefaultSessionIdManager.class).setSessionHouseKeeper(scavenger);
        }
        server.addBean(cacheFactory(System.getProperty(CACHE, "null")));
        SessionTableDataStoreFactory<?> store = factoryFor(args[0]);
        if (args.length > 4) {
            store.setGracePeriodSec(Integer.parseInt(args[4]));
        }
        server.addBean(store);
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        context.addServlet(Counter.class, "/");
        String webappClasses = System.getProperty(WEBAPP_CLASSES);
        if (webappClasses != null) {
            context.setClassLoader(WebappClasses.loaderOver(Path.of(webappClasses)));
        }
        if (args.length > 2) {
            context.getSessionHandler().setMaxInactiveInterval(Integer.parseInt(args[2]));
        }
        server.setHandler(context);
        serve(server);
    }

    /** A Jetty server for a free port of 127.0.0.1 whose session ids name the node, as every node here starts. */
    public static Server node(String name) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        DefaultSessionIdManager ids = new DefaultSessionIdManager(server);
        ids.setWorkerName(name);
        server.addBean(ids, true);
        return server;
    }

    /** Starts the node, says where it listens ({@code READY <port>}, which the tests wait for) and serves on. */
    static void serve(Server server) throws Exception {
        server.start();
        System.out.println("READY " + TestServer.port(server));
        server.join();
    }

    /**
     * Requests of one session alternate between nodes, so a node must save before it answers: Jetty's
     * flushOnResponseCommit, as its documentation advises for clusters without sticky sessions.
     */
    public static AbstractSessionCacheFactory cacheFactory(String kind) {
        AbstractSessionCacheFactory factory =
                switch (kind) {
                    case "null" -> new NullSessionCacheFactory();
                    case "default" -> new DefaultSessionCacheFactory();
                    case "coherent" -> new CoherentSessionCacheFactory();
                    default ->
                        throw new IllegalArgumentException(CACHE + " must be null, default or coherent, not " + kind);
                };
        factory.setFlushOnResponseCommit(true);
        return factory;
    }

    /**
     * The factory for the database: a file, or a {@code jdbc:postgresql:} URL. The PostgreSQL store lives in another
     * artifact, whose tests run these nodes; it is found by name so that this module needs none of it.
     */
    public static SessionTableDataStoreFactory<?> factoryFor(String database) throws ReflectiveOperationException {
        if (!database.startsWith("jdbc:postgresql:")) {
            SQLiteSessionSettings settings = new SQLiteSessionSettings(java.nio.file.Path.of(database));
            Integer busyTimeoutMs = Integer.getInteger(BUSY_TIMEOUT_MS);
            if (busyTimeoutMs != null) {
                settings.setBusyTimeoutMs(busyTimeoutMs);
            }
            settings.setCheckpoints(System.getProperty(CHECKPOINTS, settings.getCheckpoints()));
            return new SQLiteSessionDataStoreFactory(settings);
        }
        Class<?> settings = Class.forName("io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings");
        Object configured = settings.getConstructor(String.class).newInstance(database);
        Integer connectionTimeoutMs = Integer.getInteger(CONNECTION_TIMEOUT_MS);
        if (connectionTimeoutMs != null) {
            settings.getMethod("setConnectionTimeoutMs", int.class).invoke(configured, connectionTimeoutMs);
        }
        return (SessionTableDataStoreFactory<?>)
                Class.forName("io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStoreFactory")
                        .getConstructor(settings)
                        .newInstance(configured);
    }

    /** Ends the request's session, if it has one, and answers {@code invalidated}, or {@code none}. */
    static void invalidate(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpSession existing = request.getSession(false);
        String hold = request.getParameter("hold");
        if (hold != null) {
            holdUntilReleased(Path.of(hold));
        }
        if (existing != null) {
            existing.invalidate();
        }
        response.getWriter().print(existing == null ? "none" : "invalidated");
    }

    /**
     * Holds a request, its session loaded, until the test process says go on: a file {@code <path>.held} says the
     * request is held, the file {@code <path>} releases it. Files, because the test runs in another JVM; no timing is
     * assumed either way (the wait gives up after a minute, failing the request, so that a broken test ends).
     */
    private static void holdUntilReleased(Path release) throws IOException {
        Files.createFile(Path.of(release + ".held"));
        long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!Files.exists(release)) {
            if (System.nanoTime() > giveUp) {
                throw new IOException("never released: " + release);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while held", e);
            }
        }
    }

    /**
     * The node's servlet, answering in plain text:
     *
     * <ul>
     *   <li>{@code GET /} adds one to the session's count, {@code ?peek} only reads it: the session id and the count;
     *       {@code &linger=ms} holds the request that long after the whole answer is sent;
     *   <li>{@code ?invalidate} ends the session: {@code invalidated}, or {@code none}; {@code &hold=path} holds it
     *       first, its session loaded, until the test releases it (see {@link #holdUntilReleased});
     *   <li>{@code ?set=name=value} sets an attribute ({@code &delay=ms} holds the request that long after loading
     *       the session): {@code ok}; {@code ?get=a,b} answers {@code a=.. b=..};
     *   <li>{@code ?login=name} puts the user in the session: {@code ok}; {@code ?whoami} answers the session id and
     *       its user, or {@code anonymous} (in a new session if there was none);
     *   <li>{@code ?remove=name} removes an attribute: {@code ok}, or {@code none} without a session;
     *   <li>{@code ?cart=item} puts a new {@code shop.Cart(item)} in the session as attribute {@code cart}, the class
     *       loaded through the thread's context class loader (so only a node with {@value #WEBAPP_CLASSES} has it):
     *       {@code ok};
     *   <li>{@code ?renew} gives the session a new id ({@code changeSessionId}): the new id, or {@code none} without
     *       a session;
     *   <li>{@code ?merged}: how many writes the store merged;
     *   <li>{@code ?stats}: what the store and the cache counted of database outages, as {@code name=value} pairs
     *       (see {@link NodeStats}).
     * </ul>
     */
    public static final class Counter extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if (request.getParameter("invalidate") != null) {
                invalidate(request, response);
                return;
            }
            if (request.getParameter("merged") != null) {
                var store = (SessionTableDataStore) ServletContextHandler.getCurrentServletContextHandler()
                        .getSessionHandler()
                        .getSessionCache()
                        .getSessionDataStore();
                response.getWriter().print(store.getStatistics().getMergedWrites());
                return;
            }
            if (request.getParameter("stats") != null) {
                var cache = ServletContextHandler.getCurrentServletContextHandler()
                        .getSessionHandler()
                        .getSessionCache();
                var statistics = ((SessionTableDataStore) cache.getSessionDataStore()).getStatistics();
                long refused = cache instanceof CoherentSessionCache coherent ? coherent.getRequestsRefused() : 0;
                response.getWriter().print(NodeStats.of(statistics, refused).format());
                return;
            }
            String login = request.getParameter("login");
            if (login != null) {
                request.getSession(true).setAttribute("user", login);
                response.getWriter().print("ok");
                return;
            }
            if (request.getParameter("whoami") != null) {
                HttpSession session = request.getSession(true);
                Object user = session.getAttribute("user");
                response.getWriter().print(session.getId() + " " + (user == null ? "anonymous" : user));
                return;
            }
            String set = request.getParameter("set");
            if (set != null) {
                HttpSession session = request.getSession(true);
                pause(request.getParameter("delay"));
                String[] pair = set.split("=", 2);
                session.setAttribute(pair[0], pair[1]);
                response.getWriter().print("ok");
                return;
            }
            String remove = request.getParameter("remove");
            if (remove != null) {
                HttpSession session = request.getSession(false);
                if (session != null) {
                    session.removeAttribute(remove);
                }
                response.getWriter().print(session == null ? "none" : "ok");
                return;
            }
            String cart = request.getParameter("cart");
            if (cart != null) {
                request.getSession(true).setAttribute("cart", newCart(cart));
                response.getWriter().print("ok");
                return;
            }
            if (request.getParameter("renew") != null) {
                response.getWriter().print(request.getSession(false) == null ? "none" : request.changeSessionId());
                return;
            }
            String get = request.getParameter("get");
            if (get != null) {
                HttpSession session = request.getSession(true);
                StringBuilder values = new StringBuilder();
                for (String name : get.split(",")) {
                    values.append(name)
                            .append('=')
                            .append(session.getAttribute(name))
                            .append(' ');
                }
                response.getWriter().print(values.toString().trim());
                return;
            }
            HttpSession session = request.getSession(true);
            Integer count = (Integer) session.getAttribute("count");
            int value = count == null ? 0 : count;
            if (request.getParameter("peek") == null) {
                value++;
                session.setAttribute("count", value);
            }
            String answer = session.getId() + " " + value;
            String linger = request.getParameter("linger");
            if (linger != null) {
                // The whole answer goes out (session saved first) before the request ends: the client goes on while
                // this request still holds the session, for the given milliseconds.
                byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                response.setContentLength(bytes.length);
                response.getOutputStream().write(bytes);
                response.flushBuffer();
                pause(linger);
                return;
            }
            response.getWriter().print(answer);
        }

        /**
         * A {@code shop.Cart} of the webapp's own classes: loaded by name through the context class loader, as this
         * JVM's class path has no such class.
         */
        private static Object newCart(String item) throws IOException {
            try {
                return WebappClasses.cart(item);
            } catch (ReflectiveOperationException e) {
                throw new IOException("no shop.Cart in this webapp", e);
            }
        }

        /** Holds the request with its session loaded, so that two requests of one session overlap for certain. */
        private static void pause(String millis) {
            if (millis == null) {
                return;
            }
            try {
                Thread.sleep(Long.parseLong(millis));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
