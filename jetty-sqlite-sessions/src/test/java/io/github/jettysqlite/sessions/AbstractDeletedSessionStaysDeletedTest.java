package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.OTHER_NODE;
import static io.github.jettysqlite.sessions.StoreFixture.put;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.admin.Progress;
import io.github.jettysqlite.sessions.support.NodeServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.session.NullSessionCacheFactory;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session deleted while another request or node still holds it is never written back: a logout stays a logout.
 * Two stores on one database (two nodes), with no session cache, as a cluster without sticky sessions runs them.
 */
abstract class AbstractDeletedSessionStaysDeletedTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private StoreFixture fixture;
    private SessionTableDataStore nodeA;
    private SessionTableDataStore nodeB;
    private long now;

    /** The engine under test: a fixture of its own in the directory. */
    abstract StoreFixture newFixture(Path dir) throws Exception;

    @BeforeEach
    void start() throws Exception {
        fixture = newFixture(dir);
        nodeA = fixture.store(NODE, "/app", SessionContext.NULL_VHOST);
        nodeB = fixture.store(OTHER_NODE, "/app", SessionContext.NULL_VHOST);
        now = System.currentTimeMillis();
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void changedSessionDeletedByAnotherNodeIsNotWrittenBack() throws Exception {
        put(nodeA, session(nodeA, "s1", now + HOUR, NODE));
        SessionData held = nodeA.load("s1");

        assertThat(nodeB.delete("s1")).isTrue();
        held.setAttribute("cart", "book");
        nodeA.store("s1", held);

        assertThat(nodeA.load("s1")).isNull();
        assertThat(rows()).isZero();
        assertThat(nodeA.getStatistics().getStoresOfDeletedSessions()).isEqualTo(1);
    }

    @Test
    void touchedSessionDeletedByAnotherNodeIsNotWrittenBack() throws Exception {
        put(nodeA, session(nodeA, "s1", now + HOUR, NODE));
        SessionData held = nodeA.load("s1");

        assertThat(nodeB.delete("s1")).isTrue();
        held.setAccessed(now + 1_000);
        held.setMetaDataDirty(true);
        nodeA.store("s1", held);

        assertThat(rows()).isZero();
        assertThat(nodeA.getStatistics().getStoresOfDeletedSessions()).isEqualTo(1);
    }

    @Test
    void sessionEvictedWithSaveOnInactiveEvictionAfterADeleteStaysDeleted() throws Exception {
        put(nodeA, session(nodeA, "s1", now + HOUR, NODE));
        SessionData held = nodeA.load("s1");
        nodeB.delete("s1");

        // What Jetty's cache does to save an idle session before evicting it: fake a change and store.
        held.setDirty(true);
        nodeA.store("s1", held);

        assertThat(rows()).isZero();
    }

    @Test
    void sessionRemovedByDeleteAllOrPurgeStaysRemoved() throws Exception {
        put(nodeA, session(nodeA, "kept-out", now + HOUR, NODE));
        put(nodeA, session(nodeA, "expired", now - 1, NODE));
        SessionData held = nodeA.load("kept-out");
        SessionData expired = nodeA.load("expired");

        nodeB.admin().purgeExpired(java.time.Duration.ZERO, Progress.NONE);
        expired.setAttribute("late", "write");
        nodeA.store("expired", expired);
        nodeB.admin().deleteAll(Progress.NONE);
        held.setAttribute("late", "write");
        nodeA.store("kept-out", held);

        assertThat(rows()).isZero();
        assertThat(nodeA.getStatistics().getStoresOfDeletedSessions()).isEqualTo(2);
    }

    @Test
    void newSessionIsInsertedAndARenewedIdIsWrittenWhole() throws Exception {
        SessionData fresh = session(nodeA, "s1", now + HOUR, NODE);
        nodeA.store("s1", fresh);
        assertThat(rows()).isEqualTo(1);

        // Jetty renews an id by deleting the old row and storing the data under the new id as never saved.
        nodeA.delete("s1");
        fresh.setId("s2");
        fresh.setLastSaved(0);
        fresh.setDirty(true);
        nodeA.store("s2", fresh);

        assertThat(nodeB.load("s2").getAttribute("user")).isEqualTo("alice");
        assertThat(nodeA.getStatistics().getStoresOfDeletedSessions()).isZero();
    }

    @Test
    void logoutOnOneNodeWhileASlowRequestRunsOnTheOtherEndsTheSessionOverHttp() throws Exception {
        Server a = node(fixture.database(), "nodeA");
        Server b = node(fixture.database(), "nodeB");
        HttpClient client = new HttpClient();
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.start();
        try {
            String id = get(client, a, "?login", null).split(" ")[0];
            assertThat(get(client, b, "?whoami", id)).isEqualTo(id + " alice");

            SlowServlet.loaded = new CountDownLatch(1);
            SlowServlet.proceed = new CountDownLatch(1);
            CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return get(client, a, "?slow", id);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(SlowServlet.loaded.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(get(client, b, "?logout", id)).isEqualTo("logged out");
            SlowServlet.proceed.countDown();
            // Its change went with the ended session: refused (503), as on one node its setAttribute would fail.
            assertThat(slow.get(10, TimeUnit.SECONDS)).contains("could not be saved");

            String after = get(client, a, "?whoami", id);
            assertThat(after).doesNotStartWith(id).endsWith(" null");
            assertThat(fixture.query("SELECT count(*) FROM jetty_sessions WHERE session_id = ?", id))
                    .containsExactly(List.of(0));
        } finally {
            client.stop();
            a.stop();
            b.stop();
        }
    }

    private int rows() throws Exception {
        return ((Number) fixture.query("SELECT count(*) FROM jetty_sessions")
                        .get(0)
                        .get(0))
                .intValue();
    }

    private static Server node(String database, String name) throws Exception {
        Server server = NodeServer.node(name);
        NullSessionCacheFactory cache = new NullSessionCacheFactory();
        cache.setFlushOnResponseCommit(true);
        server.addBean(cache);
        SessionTableDataStoreFactory<?> store = NodeServer.factoryFor(database);
        server.addBean(store);
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        context.addServlet(SlowServlet.class, "/");
        server.setHandler(context);
        server.start();
        return server;
    }

    private static String get(HttpClient client, Server server, String query, String id) throws Exception {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        ContentResponse response = client.newRequest("http://127.0.0.1:" + port + "/" + query)
                .headers(h -> {
                    if (id != null) {
                        h.put(HttpHeader.COOKIE, "JSESSIONID=" + id);
                    }
                })
                .timeout(20, TimeUnit.SECONDS)
                .send();
        return response.getContentAsString();
    }

    /** {@code ?login}, {@code ?whoami}, {@code ?logout}, and {@code ?slow}, which holds its session until told. */
    public static final class SlowServlet extends HttpServlet {
        static volatile CountDownLatch loaded;
        static volatile CountDownLatch proceed;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            String query = request.getQueryString();
            if ("login".equals(query)) {
                HttpSession session = request.getSession(true);
                session.setAttribute("user", "alice");
                response.getWriter().print(session.getId() + " alice");
            } else if ("slow".equals(query)) {
                HttpSession session = request.getSession(false);
                loaded.countDown();
                try {
                    proceed.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                session.setAttribute("lastPage", "checkout");
                response.getWriter().print("done");
            } else if ("logout".equals(query)) {
                request.getSession(false).invalidate();
                response.getWriter().print("logged out");
            } else {
                HttpSession session = request.getSession(true);
                response.getWriter().print(session.getId() + " " + session.getAttribute("user"));
            }
        }
    }
}
