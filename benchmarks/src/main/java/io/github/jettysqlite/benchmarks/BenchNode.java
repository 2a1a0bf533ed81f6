package io.github.jettysqlite.benchmarks;

import io.github.jettysqlite.sessions.CoherentSessionCacheFactory;
import io.github.jettysqlite.sessions.SQLiteSessionDataStoreFactory;
import io.github.jettysqlite.sessions.SessionStoreStatistics;
import io.github.jettysqlite.sessions.SessionTableDataStore;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionDataStoreFactory;
import io.github.jettysqlite.sessions.postgresql.PostgreSQLSessionSettings;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.session.AbstractSessionCacheFactory;
import org.eclipse.jetty.session.DefaultSessionCacheFactory;
import org.eclipse.jetty.session.DefaultSessionIdManager;
import org.eclipse.jetty.session.NullSessionCacheFactory;

/**
 * One node of {@link TwoNodeBench}, in a JVM of its own: a Jetty server whose context {@code /app} keeps sessions in
 * the given cache (saving before the response commits) over this library's store on a database the other node shares,
 * configured through the factories as a {@code jetty.xml} would.
 *
 * <p>Usage: {@code BenchNode sqlite|postgresql databaseFileOrJdbcUrl coherent|default|null workerName}. Prints
 * {@code PORT n} once started, then answers commands on standard input, one a line: {@code RESET} starts the
 * store's statistics and the request count afresh ({@code OK}); {@code STATS} answers one {@link Stats} line; the
 * node stops at {@code STOP} or at the end of its input (when the benchmark is gone).
 */
public final class BenchNode {
    static final String PORT = "PORT ";

    private BenchNode() {}

    public static void main(String[] args) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        // Each node its own worker name, as Jetty requires of a cluster: it ends the session cookie's value.
        DefaultSessionIdManager ids = new DefaultSessionIdManager(server);
        ids.setWorkerName(args[3]);
        server.addBean(ids, true);
        server.addBean(cacheFactory(args[2]));
        server.addBean(
                args[0].equals("sqlite")
                        ? new SQLiteSessionDataStoreFactory(Path.of(args[1]))
                        : new PostgreSQLSessionDataStoreFactory(new PostgreSQLSessionSettings(args[1])));
        ServletContextHandler context = new ServletContextHandler("/app", ServletContextHandler.SESSIONS);
        context.addServlet(UserServlet.class, "/user");
        context.getSessionHandler().setMaxInactiveInterval(1800);
        server.setHandler(context);
        server.start();
        SessionStoreStatistics statistics = ((SessionTableDataStore)
                        context.getSessionHandler().getSessionCache().getSessionDataStore())
                .getStatistics();
        System.out.println(PORT + connector.getLocalPort());
        long cpuAtReset = processCpuNanos();
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = commands.readLine()) != null && !line.equals("STOP"); ) {
            switch (line) {
                case "RESET" -> {
                    statistics.reset();
                    cpuAtReset = processCpuNanos();
                    UserServlet.REQUESTS.set(0);
                    System.out.println("OK");
                }
                case "STATS" ->
                    System.out.println(Stats.of(UserServlet.REQUESTS.get(), statistics, processCpuNanos() - cpuAtReset)
                            .format());
                default -> System.out.println("ERROR unknown command " + line);
            }
        }
        server.stop();
    }

    /** CPU time this node's JVM has used so far, every thread (Jetty's, the store's, the JIT's and the collector's). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The cache of the given kind; each saves the session before the response commits. */
    static AbstractSessionCacheFactory cacheFactory(String kind) {
        AbstractSessionCacheFactory factory =
                switch (kind) {
                    case "coherent" -> new CoherentSessionCacheFactory();
                    case "default" -> new DefaultSessionCacheFactory();
                    case "null" -> new NullSessionCacheFactory();
                    default -> throw new IllegalArgumentException("unknown cache " + kind);
                };
        factory.setFlushOnResponseCommit(true);
        return factory;
    }

    /**
     * What a node's store did since the last {@code RESET}, from its JMX statistics, and how many requests the node
     * served meanwhile, and the CPU time it used meanwhile. Means are in milliseconds.
     */
    record Stats(
            long requests,
            long checks,
            double checkMeanMs,
            long checkFailures,
            long reloads,
            long drops,
            long loads,
            double loadMeanMs,
            long stores,
            double storeMeanMs,
            long signalled,
            long cpuNanos) {
        static final String PREFIX = "STATS ";
        static final Stats NONE = new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        static Stats of(long requests, SessionStoreStatistics s, long cpuNanos) {
            return new Stats(
                    requests,
                    s.getCacheChecks(),
                    s.getCacheCheckMeanMs(),
                    s.getCacheCheckFailures(),
                    s.getCacheReloads(),
                    s.getCacheDrops(),
                    s.getLoadCount(),
                    s.getLoadMeanMs(),
                    s.getStoreCount(),
                    s.getStoreMeanMs(),
                    s.getCacheChecksSignalled(),
                    cpuNanos);
        }

        String format() {
            return PREFIX + requests + " " + checks + " " + checkMeanMs + " " + checkFailures + " " + reloads + " "
                    + drops + " " + loads + " " + loadMeanMs + " " + stores + " " + storeMeanMs + " " + signalled + " "
                    + cpuNanos;
        }

        static Stats parse(String line) {
            String[] f = line.substring(PREFIX.length()).trim().split(" ");
            return new Stats(
                    Long.parseLong(f[0]),
                    Long.parseLong(f[1]),
                    Double.parseDouble(f[2]),
                    Long.parseLong(f[3]),
                    Long.parseLong(f[4]),
                    Long.parseLong(f[5]),
                    Long.parseLong(f[6]),
                    Double.parseDouble(f[7]),
                    Long.parseLong(f[8]),
                    Double.parseDouble(f[9]),
                    Long.parseLong(f[10]),
                    Long.parseLong(f[11]));
        }

        /** Both sets of figures as one: counts added, means weighted by their counts. */
        Stats plus(Stats o) {
            return new Stats(
                    requests + o.requests,
                    checks + o.checks,
                    mean(checkMeanMs, checks, o.checkMeanMs, o.checks),
                    checkFailures + o.checkFailures,
                    reloads + o.reloads,
                    drops + o.drops,
                    loads + o.loads,
                    mean(loadMeanMs, loads, o.loadMeanMs, o.loads),
                    stores + o.stores,
                    mean(storeMeanMs, stores, o.storeMeanMs, o.stores),
                    signalled + o.signalled,
                    cpuNanos + o.cpuNanos);
        }

        private static double mean(double a, long n, double b, long m) {
            return n + m == 0 ? 0 : (a * n + b * m) / (n + m);
        }

        double perRequest(long count) {
            return requests == 0 ? Double.NaN : (double) count / requests;
        }
    }

    /**
     * Reads the session's {@code user} attribute (a 1 KiB value, set when the session is new) and its {@code count},
     * stores {@code ?set=n} as the new count when asked, and answers the count the session held before.
     */
    public static final class UserServlet extends HttpServlet {
        static final AtomicLong REQUESTS = new AtomicLong();

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            REQUESTS.incrementAndGet();
            HttpSession session = request.getSession(true);
            if (session.getAttribute("user") == null) {
                session.setAttribute("user", Payloads.of(1024));
            }
            Integer count = (Integer) session.getAttribute("count");
            String set = request.getParameter("set");
            if (set != null) {
                session.setAttribute("count", Integer.valueOf(set));
            }
            response.setContentType("text/plain");
            response.getWriter().print(count == null ? 0 : count);
        }
    }
}
