package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStoreFactory;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import io.github.jettysqlite.sessions.support.LocalPostgreSQL;
import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import io.github.jettysqlite.sessions.support.Waiting;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A database restart under a real Jetty server with the coherent cache, on a PostgreSQL server of the test's own
 * that it stops as an operator would: requests that arrive while it is down wait for it and then answer as if
 * nothing happened, and a longer outage answers 503 and keeps the user's cookie, never a new, empty session.
 */
@ExtendWith(PostgreSQLRequired.class)
class PostgreSQLRestartTest {
    private static final int USERS = 8;
    private static final int WAIT_MS = 20_000;
    private static final int SHORT_WAIT_MS = 1_000;

    private LocalPostgreSQL postgres;
    private Server jetty;
    private final HttpClient client = new HttpClient();

    @BeforeEach
    void start() throws Exception {
        postgres = PostgreSQLServer.startLocal();
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.start();
    }

    @AfterEach
    void stop() throws Exception {
        client.stop();
        if (jetty != null) {
            jetty.stop();
        }
        postgres.close();
    }

    @Test
    void aFastRestartLogsNobodyOut() throws Exception {
        restartUnderRequestsLosesNothing("fast");
    }

    @Test
    void aCrashAndRecoveryLogsNobodyOut() throws Exception {
        restartUnderRequestsLosesNothing("immediate");
    }

    private void restartUnderRequestsLosesNothing(String mode) throws Exception {
        startJetty(WAIT_MS);
        List<String> ids = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            ids.add(count(null).id());
        }

        postgres.stop(mode);
        // Every user clicks while the server is down; the requests wait for it.
        List<CompletableFuture<Answer>> during = new ArrayList<>();
        for (String id : ids) {
            during.add(CompletableFuture.supplyAsync(() -> quietly(() -> count(id))));
        }
        // The outage itself is the one deliberate wait: the server stays down a second while the requests wait for
        // it (in the store's retries, or in the pool, which checks a connection idle for a while before lending it).
        TimeUnit.SECONDS.sleep(1);
        assertThat(during).as("requests still waiting for the server").anyMatch(answer -> !answer.isDone());
        postgres.start();

        for (int u = 0; u < USERS; u++) {
            Answer answer = during.get(u).get(60, TimeUnit.SECONDS);
            assertThat(answer.status()).as("user %d during the restart", u).isEqualTo(200);
            assertThat(answer.id()).as("user %d keeps the session", u).isEqualTo(ids.get(u));
            assertThat(answer.count()).isEqualTo(2);
            assertThat(answer.newCookie())
                    .as("no cookie naming another session")
                    .isFalse();
        }
        for (int u = 0; u < USERS; u++) {
            assertThat(count(ids.get(u)).count()).as("after the restart").isEqualTo(3);
        }
        System.out.printf(
                "PostgreSQL stopped (-m %s) under %d users: 0 new sessions, %d statements retried, %d outage(s)%n",
                mode, USERS, statistics().getDatabaseRetries(), statistics().getDatabaseOutages());
        assertThat(statistics().isDatabaseUnreachable()).isFalse();
    }

    @Test
    void anOutageLongerThanTheWaitRefusesRequestsAndKeepsTheirSessions() throws Exception {
        startJetty(SHORT_WAIT_MS);
        String id = count(null).id();
        assertThat(count(id).count()).isEqualTo(2);

        postgres.stop("fast");
        Answer refused = count(id);
        postgres.start();

        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.newCookie()).as("the user's cookie is kept").isFalse();
        // The pool opens its connections again on its own time (longer than the short wait on a loaded machine):
        // requests before it has are refused as the first was, each keeping the session as it is.
        List<Answer> answers = new ArrayList<>();
        Waiting.until("a request answered after the restart", () -> {
            Answer answer = count(id);
            answers.add(answer);
            assertThat(answer.status()).as(answer.body()).isIn(200, 503);
            assertThat(answer.newCookie()).as("the user's cookie is kept").isFalse();
            return answer.status() == 200;
        });
        Answer after = answers.get(answers.size() - 1);
        assertThat(after.id()).isEqualTo(id);
        assertThat(after.count()).as("the session is there again, as it was").isEqualTo(3);
        CoherentSessionCache cache =
                (CoherentSessionCache) context().getSessionHandler().getSessionCache();
        assertThat(cache.getRequestsRefused()).isEqualTo(answers.size());
        assertThat(statistics().getDatabaseGaveUp()).isPositive();
    }

    private void startJetty(int waitMs) throws Exception {
        PostgreSQLSessionSettings settings = new PostgreSQLSessionSettings();
        settings.setUrl(postgres.url());
        settings.setConnectionTimeoutMs(waitMs);
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        jetty.addBean(new PostgreSQLSessionDataStoreFactory(settings));
        jetty.addBean(new CoherentSessionCacheFactory());
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        context.addServlet(Counter.class, "/");
        jetty.setHandler(context);
        jetty.start();
    }

    /** A request that adds one to the session's count; with no id, it starts a session. */
    private Answer count(String id) throws Exception {
        int port = ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
        var request = client.newRequest("http://127.0.0.1:" + port + "/").timeout(90, TimeUnit.SECONDS);
        if (id != null) {
            request.headers(h -> h.put(HttpHeader.COOKIE, "JSESSIONID=" + id));
        }
        ContentResponse response = request.send();
        String body = response.getContentAsString();
        String setCookie = response.getHeaders().get(HttpHeader.SET_COOKIE);
        // Jetty may send the session's cookie again (refreshing it); a cookie naming another id would replace it.
        boolean newCookie = setCookie != null && id != null && !setCookie.contains("JSESSIONID=" + id);
        if (response.getStatus() != 200) {
            return new Answer(response.getStatus(), body, null, -1, newCookie);
        }
        String[] parts = body.split(" ");
        return new Answer(200, body, parts[0], Integer.parseInt(parts[1]), newCookie);
    }

    private record Answer(int status, String body, String id, int count, boolean newCookie) {}

    private ServletContextHandler context() {
        return (ServletContextHandler) jetty.getHandler();
    }

    private SessionStoreStatistics statistics() {
        return ((SessionTableDataStore)
                        context().getSessionHandler().getSessionCache().getSessionDataStore())
                .getStatistics();
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    private static <T> T quietly(Call<T> call) {
        try {
            return call.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds one to the session's count and answers the id and the count. */
    public static final class Counter extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            HttpSession session = request.getSession(true);
            Integer count = (Integer) session.getAttribute("count");
            int value = count == null ? 1 : count + 1;
            session.setAttribute("count", value);
            response.getWriter().print(session.getId() + " " + value);
        }
    }
}
