package io.github.jettysqlite.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.session.AbstractSessionCache;
import org.eclipse.jetty.session.DefaultSessionCache;
import org.eclipse.jetty.session.NullSessionCache;
import org.eclipse.jetty.session.NullSessionDataStore;
import org.eclipse.jetty.session.SessionDataStore;

/**
 * End to end: a real Jetty server whose servlet reads and writes a session attribute on every request, under load
 * from Jetty's {@code HttpClient} in a separate JVM ({@link LoadClient}: keep-alive, a fixed number of users, each
 * with its own session, sending its next request when the previous one answered).
 *
 * <p>The upper bound is Jetty's in-memory default ({@code DefaultSessionCache} over {@code NullSessionDataStore}).
 * A {@code NullSessionCache} over a {@code NullSessionDataStore} would forget every session after each request, so
 * the same in-memory bound serves both cache kinds.
 */
final class HttpBench {
    private final Options options;
    private final Report report;

    HttpBench(Options options, Report report) {
        this.options = options;
        this.report = report;
    }

    /** One server configuration: a session cache kind over a data store, with whatever the store must close. */
    private record Config(String name, boolean nullCache, Function<Path, Store> store) {}

    private record Store(SessionDataStore store, AutoCloseable cleanup) {}

    static final String IN_MEMORY = "in-memory (DefaultSessionCache + NullSessionDataStore)";
    private static final String WARM_UP = "warm-up, not reported (in-memory)";
    static final String SAVE_PERIOD = "sqlite-store/NORMAL + NullSessionCache, savePeriodSec=1";

    void run() throws Exception {
        List<Config> configs = new ArrayList<>();
        configs.add(new Config(IN_MEMORY, false, dir -> new Store(new NullSessionDataStore(), null)));
        for (boolean nullCache : new boolean[] {true, false}) {
            String cache = nullCache ? "NullSessionCache" : "DefaultSessionCache";
            configs.add(new Config(
                    "sqlite-store/NORMAL + " + cache,
                    nullCache,
                    dir -> new Store(Subjects.sqliteStore(dir.resolve("http.db"), "NORMAL"), null)));
            configs.add(new Config("jdbc-hikari/NORMAL + " + cache, nullCache, dir -> {
                HikariDataSource pool = Subjects.hikari(dir.resolve("http.db"), "NORMAL", Subjects.HIKARI_POOL_SIZE);
                return new Store(Subjects.jdbc(pool), pool);
            }));
            configs.add(new Config(
                    "jdbc-documented/NORMAL + " + cache,
                    nullCache,
                    dir -> new Store(Subjects.jdbcDocumented(dir.resolve("http.db"), "NORMAL"), null)));
        }
        // Jetty stores a session twice per request under a NullSessionCache with flushOnResponseCommit: at commit,
        // and again at release, which moves the expiry on. A save period lets it skip the second write.
        configs.add(new Config(SAVE_PERIOD, true, dir -> {
            SQLiteSessionDataStore store = Subjects.sqliteStore(dir.resolve("http.db"), "NORMAL");
            store.setSavePeriodSec(1);
            return new Store(store, null);
        }));
        // The first server measured would pay for compiling Jetty's request path; the reference must not.
        configs.add(0, new Config(WARM_UP, false, dir -> new Store(new NullSessionDataStore(), null)));
        for (Config config : configs) {
            Path dir = Files.createDirectories(options.dataDir().resolve("http"));
            Store store = config.store().apply(dir);
            CounterServlet.REQUESTS.set(0);
            Server server = server(config.nullCache(), store.store());
            try {
                server.start();
                int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
                LoadClient.Result result = runClient("http://127.0.0.1:" + port + "/app/count");
                double writesPerRequest = store.store() instanceof SQLiteSessionDataStore ours
                        ? (double) ours.getStatistics().getStoreCount() / CounterServlet.REQUESTS.get()
                        : Double.NaN;
                if (!config.name().equals(WARM_UP)) {
                    report.http(config.name(), result, writesPerRequest);
                }
                System.out.printf(
                        "http %-58s %,9.0f req/s  p50 %7.1f us  p99 %8.1f us  errors %d%n",
                        config.name(), result.requestsPerSec(), result.p50Us(), result.p99Us(), result.errors());
            } finally {
                server.stop();
                if (store.cleanup() != null) {
                    store.cleanup().close();
                }
                Bench.deleteRecursively(dir);
            }
        }
    }

    private static Server server(boolean nullCache, SessionDataStore store) {
        Server server = new Server();
        server.addConnector(new ServerConnector(server));
        ServletContextHandler context = new ServletContextHandler("/app", ServletContextHandler.SESSIONS);
        context.addServlet(CounterServlet.class, "/count");
        SessionHandler sessions = context.getSessionHandler();
        AbstractSessionCache cache = nullCache ? new NullSessionCache(sessions) : new DefaultSessionCache(sessions);
        // The session is written before the response is committed, so a user's next request (sent on the answer)
        // always sees it, and the latency includes the write. Without it a NullSessionCache can serve the next
        // request from the row as it was before the previous request's write landed.
        cache.setFlushOnResponseCommit(true);
        cache.setSessionDataStore(store);
        sessions.setSessionCache(cache);
        server.setHandler(context);
        return server;
    }

    private LoadClient.Result runClient(String url) throws IOException, InterruptedException {
        return LoadClient.run(
                line -> {},
                url,
                Integer.toString(options.httpUsers()),
                Long.toString(options.httpWarmupMs()),
                Long.toString(options.httpMeasureMs()));
    }

    /** Counts the requests of a session: reads the count, writes it back incremented, answers it. */
    public static final class CounterServlet extends HttpServlet {
        /** Requests served, warm-up included, so that store calls per request can be told. */
        static final AtomicLong REQUESTS = new AtomicLong();

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            REQUESTS.incrementAndGet();
            HttpSession session = request.getSession(true);
            Integer count = (Integer) session.getAttribute("count");
            if (count == null) {
                session.setAttribute(BenchSession.PAYLOAD, Payloads.of(1024));
            }
            int next = count == null ? 1 : count + 1;
            session.setAttribute("count", next);
            response.setContentType("text/plain");
            response.getWriter().print(next);
        }
    }
}
