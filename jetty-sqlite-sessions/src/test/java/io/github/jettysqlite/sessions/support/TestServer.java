package io.github.jettysqlite.sessions.support;

import io.github.jettysqlite.sessions.SQLiteSessionDataStoreFactory;
import io.github.jettysqlite.sessions.SessionTableDataStore;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.session.DefaultSessionIdManager;
import org.eclipse.jetty.session.HouseKeeper;

/**
 * A real Jetty server on 127.0.0.1 with two ee10 contexts, {@code /a} and {@code /b}, keeping sessions in an
 * SQLite file through the factory, and scavenging every second.
 */
public final class TestServer {
    private TestServer() {}

    /** Starts the server; port 0 picks a free one. Extra beans (a session cache factory, say) join the server. */
    public static Server start(Path file, int port, Object... beans) throws Exception {
        SQLiteSessionDataStoreFactory factory = new SQLiteSessionDataStoreFactory(file);
        factory.setGracePeriodSec(1);
        Object[] all = new Object[beans.length + 1];
        all[0] = factory;
        System.arraycopy(beans, 0, all, 1, beans.length);
        return startWithStore(port, all);
    }

    /** As {@link #start}, with whatever store factory the beans hold (or none). */
    public static Server startWithStore(int port, Object... beans) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);

        DefaultSessionIdManager ids = new DefaultSessionIdManager(server);
        HouseKeeper houseKeeper = new HouseKeeper();
        houseKeeper.setIntervalSec(1);
        ids.setSessionHouseKeeper(houseKeeper);
        server.addBean(ids, true);

        for (Object bean : beans) {
            server.addBean(bean);
        }

        ContextHandlerCollection contexts = new ContextHandlerCollection();
        for (String path : new String[] {"/a", "/b"}) {
            ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
            context.setContextPath(path);
            context.addServlet(SessionServlet.class, "/*").setAsyncSupported(true);
            contexts.addHandler(context);
        }
        server.setHandler(contexts);
        server.start();
        return server;
    }

    /**
     * Runs in an {@code ?invalidate} or {@code ?renew} request after it loaded the session and before it ends it or
     * gives it a new id (what another node does meanwhile, say); nothing unless a test sets it.
     */
    public static volatile Runnable meanwhile = () -> {};

    /** The request {@code ?park=value} left unanswered, until a {@code ?finishParked} request answers it. */
    private static volatile AsyncContext parked;

    private static volatile CountDownLatch parkedNow = new CountDownLatch(1);

    /** Readies the next {@code ?park} request; {@link #awaitParked} then waits until it is parked. */
    public static void prepareParking() {
        parkedNow = new CountDownLatch(1);
    }

    public static void awaitParked() throws InterruptedException {
        parkedNow.await();
    }

    private static volatile CountDownLatch held = new CountDownLatch(1);
    private static volatile CountDownLatch release = new CountDownLatch(1);

    /** Readies the next ?hold request: it counts down what {@link #awaitHeld} waits for, then waits to be released. */
    public static void prepareHold() {
        held = new CountDownLatch(1);
        release = new CountDownLatch(1);
    }

    /** Waits until the ?hold request holds its session; false if {@code failed} says it ended before that. */
    public static boolean awaitHeld(BooleanSupplier failed) throws InterruptedException {
        while (!held.await(100, TimeUnit.MILLISECONDS)) {
            if (failed.getAsBoolean()) {
                return false;
            }
        }
        return true;
    }

    public static void releaseHeld() {
        release.countDown();
    }

    public static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /**
     * ?set=name=value sets an attribute, ?get=name answers it, ?ttl=s sets the timeout, ?invalidate ends the session
     * (after running {@link #meanwhile}), ?renew gives the session a new id (after running {@link #meanwhile}) before
     * the other parameters are taken,
     * ?vanish deletes its row through the store first (as another node would), ?pad=n sets an attribute of n bytes
     * (a write that needs new pages), ?probe=name=value sets an {@link ActivationProbe}, ?hold keeps the request (and
     * so the session) until {@link #releaseHeld} after saying so to {@link #awaitHeld}, ?identity answers which
     * session object this node served, ?list=name=value sets a list holding the value, ?append=name=value adds the
     * value to that list in place (without setting the attribute again), after the hold if there is one, ?async with
     * ?set sets it and answers the id from a thread outside the context (see {@link #answerLater}; with &complete,
     * leaving the commit to complete()), ?park=value sets
     * cart to the value and leaves the request unanswered until a ?finishParked request answers it (see {@link
     * SessionServlet#finishParked}; with &answerFirst, after sending its own answer); otherwise the id.
     */
    public static final class SessionServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if (request.getParameter("invalidate") != null) {
                if (request.getSession(false) != null) {
                    meanwhile.run();
                }
                NodeServer.invalidate(request, response);
                return;
            }
            if (request.getParameter("finishParked") != null) {
                if (request.getParameter("answerFirst") != null) {
                    // This request's own response goes out before it answers the parked one.
                    response.getWriter().print("finished");
                    response.flushBuffer();
                    finishParked();
                    return;
                }
                finishParked();
                response.getWriter().print("finished");
                return;
            }
            HttpSession session = request.getSession(true);
            if (request.getParameter("park") != null) {
                session.setAttribute("cart", request.getParameter("park"));
                parked = request.startAsync();
                parkedNow.countDown();
                return;
            }
            if (request.getParameter("async") != null) {
                answerLater(request, response, session);
                return;
            }
            if (request.getParameter("renew") != null) {
                meanwhile.run();
                request.changeSessionId();
            }
            if (request.getParameter("vanish") != null) {
                // The row goes while this request holds the session, as when another node ends it meanwhile.
                try {
                    ((SessionTableDataStore) ServletContextHandler.getServletContextHandler(getServletContext())
                                    .getSessionHandler()
                                    .getSessionCache()
                                    .getSessionDataStore())
                            .delete(session.getId());
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
            String ttl = request.getParameter("ttl");
            if (ttl != null) {
                session.setMaxInactiveInterval(Integer.parseInt(ttl));
            }
            String set = request.getParameter("set");
            if (set != null) {
                String[] pair = set.split("=", 2);
                session.setAttribute(pair[0], pair[1]);
            }
            String probe = request.getParameter("probe");
            if (probe != null) {
                String[] pair = probe.split("=", 2);
                session.setAttribute(pair[0], new ActivationProbe(pair[1]));
            }
            String list = request.getParameter("list");
            if (list != null) {
                String[] pair = list.split("=", 2);
                session.setAttribute(pair[0], new ArrayList<>(List.of(pair[1])));
            }
            // The list object is taken now and added to only after the hold, as a slow request changes an attribute.
            String[] append = request.getParameter("append") == null
                    ? null
                    : request.getParameter("append").split("=", 2);
            @SuppressWarnings("unchecked")
            List<String> appendTo = append == null ? null : (List<String>) session.getAttribute(append[0]);
            if (request.getParameter("hold") != null) {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            if (appendTo != null) {
                appendTo.add(append[1]);
            }
            String pad = request.getParameter("pad");
            if (pad != null) {
                session.setAttribute("pad", new byte[Integer.parseInt(pad)]);
            }
            if (request.getParameter("identity") != null) {
                response.getWriter().print(System.identityHashCode(session));
                return;
            }
            String get = request.getParameter("get");
            response.getWriter().print(get == null ? session.getId() : String.valueOf(session.getAttribute(get)));
        }

        /**
         * Answers the parked request from this request's thread, inside this request's scope of the same context: Jetty
         * saves the parked request's session here, as a chat or long-poll server answering one request from another
         * does.
         */
        private static void finishParked() throws IOException {
            AsyncContext other = parked;
            parked = null;
            other.getResponse().getWriter().print("parked answer");
            other.getResponse().flushBuffer();
            other.complete();
        }

        /**
         * Answers on a thread of the application's own, outside the context's scope, as an asynchronous servlet
         * answering from its own executor does: the attribute of {@code ?set} is set and the response committed there,
         * so Jetty saves the session from that thread.
         */
        private static void answerLater(HttpServletRequest request, HttpServletResponse response, HttpSession session) {
            AsyncContext async = request.startAsync();
            String[] pair = request.getParameter("set").split("=", 2);
            Thread answering = new Thread(() -> {
                try {
                    session.setAttribute(pair[0], pair[1]);
                    response.getWriter().print(session.getId());
                    if (request.getParameter("complete") == null) {
                        response.flushBuffer();
                    }
                } catch (IOException | RuntimeException e) {
                    response.setStatus(500);
                } finally {
                    async.complete();
                }
            });
            answering.setDaemon(true);
            answering.start();
        }
    }
}
