package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStoreFactory;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import io.github.jettysqlite.sessions.support.LocalPostgreSQL;
import io.github.jettysqlite.sessions.support.NodeHttp;
import io.github.jettysqlite.sessions.support.NodeServer;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import io.github.jettysqlite.sessions.support.Waiting;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real Jetty server on a PostgreSQL server of the test's own, stopped as an operator would while a request holds
 * its session's change and before it answers: the save gives up after the store's wait, and the request is answered
 * 503 with Retry-After instead of 200, sets no cookie, and once the server is back the session is as it was.
 */
@ExtendWith(PostgreSQLRequired.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgreSQLFailedSaveRefusalsTest {
    private static final int WAIT_MS = 1_000;

    private LocalPostgreSQL postgres;
    private Server jetty;
    private HttpClient client;

    @BeforeAll
    void startPostgres() throws Exception {
        postgres = PostgreSQLServer.startLocal();
        client = NodeHttp.newClient();
    }

    @AfterAll
    void stopPostgres() throws Exception {
        // Nothing was started when the class was skipped (no PostgreSQL programs on this machine).
        if (client != null) {
            client.stop();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @AfterEach
    void stopJetty() throws Exception {
        if (jetty != null) {
            jetty.stop();
        }
    }

    @ParameterizedTest(name = "{0} cache")
    @ValueSource(strings = {"coherent", "default", "null"})
    void aChangeTheStoppedServerCannotTakeIsRefusedAndNotKept(String cache) throws Exception {
        startJetty(cache);
        String id = request("/?set=cart=book", null).send().getContentAsString();

        HeldChange.reset();
        var pending = new CompletableResponseListener(request("/?set=cart=pen&hold", id)).send();
        // The request has loaded the session and changed it; the server stops before the change is saved.
        assertThat(HeldChange.changed.await(30, TimeUnit.SECONDS)).isTrue();
        ContentResponse refused;
        try {
            postgres.stop("fast");
            HeldChange.answer.countDown();
            refused = pending.get(60, TimeUnit.SECONDS);
        } finally {
            postgres.start();
        }

        assertThat(refused.getStatus()).as(refused.getContentAsString()).isEqualTo(503);
        assertThat(refused.getHeaders().get(HttpHeader.RETRY_AFTER))
                .as("the connection timeout in whole seconds")
                .isEqualTo("1");
        assertThat(refused.getHeaders().get(HttpHeader.SET_COOKIE))
                .as("the user's cookie is kept")
                .isNull();
        // HikariCP reconnects with a backoff: until the store reads again, a request would be refused for its load.
        Waiting.until("the session readable again", () -> readsAgain(id));
        ContentResponse after = request("/?get=cart", id).send();
        assertThat(after.getStatus()).isEqualTo(200);
        assertThat(after.getContentAsString())
                .as("the same session, as it was before the refused change")
                .isEqualTo("book");
        assertThat(store().load(id).getAttribute("cart")).as("the row").isEqualTo("book");
        assertThat(store().getStatistics().getSavesRefused()).isEqualTo(1);
    }

    private boolean readsAgain(String id) {
        try {
            store().load(id);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private void startJetty(String cache) throws Exception {
        PostgreSQLSessionSettings settings = new PostgreSQLSessionSettings();
        settings.setUrl(postgres.url());
        settings.setConnectionTimeoutMs(WAIT_MS);
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        jetty.addBean(new PostgreSQLSessionDataStoreFactory(settings));
        jetty.addBean(NodeServer.cacheFactory(cache));
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        context.addServlet(HeldChange.class, "/");
        jetty.setHandler(context);
        jetty.start();
    }

    private Request request(String pathAndQuery, String id) {
        int port = ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
        Request request = client.newRequest("http://127.0.0.1:" + port + pathAndQuery);
        if (id != null) {
            request.headers(h -> h.put(HttpHeader.COOKIE, "JSESSIONID=" + id));
        }
        return request;
    }

    private SessionTableDataStore store() {
        return (SessionTableDataStore) ((ServletContextHandler) jetty.getHandler())
                .getSessionHandler()
                .getSessionCache()
                .getSessionDataStore();
    }

    /**
     * ?set=name=value sets an attribute and answers the session id; with {@code &hold} it then waits for the test
     * before it answers (and so before Jetty saves the change). ?get=name answers the attribute.
     */
    public static final class HeldChange extends HttpServlet {
        static volatile CountDownLatch changed;
        static volatile CountDownLatch answer;

        static void reset() {
            changed = new CountDownLatch(1);
            answer = new CountDownLatch(1);
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            HttpSession session = request.getSession(true);
            String get = request.getParameter("get");
            if (get != null) {
                response.getWriter().print(session.getAttribute(get));
                return;
            }
            String[] pair = request.getParameter("set").split("=", 2);
            session.setAttribute(pair[0], pair[1]);
            if (request.getParameter("hold") != null) {
                changed.countDown();
                try {
                    answer.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            response.getWriter().print(session.getId());
        }
    }
}
