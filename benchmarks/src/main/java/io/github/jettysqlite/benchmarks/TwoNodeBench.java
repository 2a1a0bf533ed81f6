package io.github.jettysqlite.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Two Jetty nodes on one database, end to end over HTTP: each node a JVM of its own ({@link BenchNode}), both with
 * the same session cache over this library's store on one SQLite file or one PostgreSQL schema, under load from
 * {@link LoadClient} in a third JVM whose users send their requests to one node (sticky) or to each in turn
 * (alternating), some of them storing a new value that every later answer, on either node, must show.
 *
 * <p>The caches compared: {@code CoherentSessionCache} (checks a cached session against its row before a request
 * uses it), Jetty's {@code DefaultSessionCache} (never checks, so right only when each session stays on one node)
 * and Jetty's {@code NullSessionCache} (loads every session from the table). The caches take turns run by run, so
 * a change in the machine's load falls on all of them alike; around each measured period the nodes' store
 * statistics are reset and read, for what the coherence check costs.
 */
final class TwoNodeBench {
    static final List<String> ENGINES = List.of("sqlite", "postgresql");
    static final List<String> CACHES = List.of("coherent", "default", "null");

    /** How a user's requests reach the nodes, and the share of them that store a new value. */
    record Traffic(boolean alternating, double writeFraction) {
        static final Traffic STICKY_TENTH = new Traffic(false, 0.1);
        static final Traffic ALTERNATING_TENTH = new Traffic(true, 0.1);
        static final Traffic ALTERNATING_ALL = new Traffic(true, 1);
        /** Exercises every path of every cache before anything is measured: reloads, checks, loads. */
        static final Traffic WARM_UP = new Traffic(true, 0.5);

        /** From {@code sticky:0.1} or {@code alternating:1}. */
        static Traffic parse(String text) {
            String[] parts = text.split(":");
            if (parts.length != 2 || !List.of("sticky", "alternating").contains(parts[0])) {
                throw new IllegalArgumentException(
                        "traffic " + text + " is not sticky:<fraction> or" + " alternating:<fraction>");
            }
            return new Traffic(parts[0].equals("alternating"), Double.parseDouble(parts[1]));
        }

        String routing() {
            return alternating ? "alternating" : "sticky";
        }

        String label() {
            String writes = writeFraction >= 1
                    ? "every request writes"
                    : writeFraction > 0
                            ? String.format(Locale.ROOT, "1 in %.0f writes", 1 / writeFraction)
                            : "no writes";
            return routing() + ", " + writes;
        }
    }

    static final List<Traffic> TRAFFIC =
            List.of(Traffic.STICKY_TENTH, Traffic.ALTERNATING_TENTH, Traffic.ALTERNATING_ALL);

    private final Options options;
    private final Options.Nodes settings;
    private final Report report;

    TwoNodeBench(Options options, Report report) {
        this.options = options;
        this.settings = options.nodes();
        this.report = report;
    }

    void run() throws Exception {
        for (String engine : settings.engines()) {
            if (engine.equals("postgresql")
                    && (options.postgresUrl() == null || options.postgresUrl().isBlank())) {
                System.out.println("nodes postgresql: skipped, no server named (--postgres-url or JSS_POSTGRES_URL)");
                report.twoNode().skipped(engine);
                continue;
            }
            run(engine);
        }
    }

    /** One engine: a pair of nodes per cache, all started first, then every traffic on every pair in turn. */
    private void run(String engine) throws Exception {
        Path dir = Files.createDirectories(options.dataDir().resolve("nodes-" + engine));
        List<Pair> pairs = new ArrayList<>();
        List<String> schemas = new ArrayList<>();
        try {
            for (String cache : settings.caches()) {
                String database;
                if (engine.equals("sqlite")) {
                    database = dir.resolve(cache + ".db").toString();
                } else {
                    String schema = "nodes_" + ProcessHandle.current().pid() + "_" + cache;
                    PostgreSQLBench.createSchema(options.postgresUrl(), schema);
                    schemas.add(schema);
                    database = PostgreSQLBench.schemaUrl(options.postgresUrl(), schema);
                }
                pairs.add(new Pair(
                        cache,
                        new Node(engine, database, cache, "nodeA", dir),
                        new Node(engine, database, cache, "nodeB", dir)));
            }
            // The smoke run checks answers, not figures: it needs no warmed-up nodes.
            for (Pair pair : options.quick() ? List.<Pair>of() : pairs) {
                measure(engine, pair, Traffic.WARM_UP, settings.warmupMs(), false);
            }
            // Rounds like the measured ones, not reported. Six node JVMs share two cores here, and their compilers
            // take minutes of traffic to finish (on PostgreSQL the nodes' CPU per request fell fourfold over the first
            // eight rounds of two traffics, and 39 % of a node's samples in its first 50 seconds were the compiler's):
            // without these, every cache would be measured on its compiler, and a cache with more code on it most.
            for (int round = 0; round < settings.warmupRounds(); round++) {
                runRound(engine, pairs, round, false);
            }
            for (int round = 0; round < settings.rounds(); round++) {
                runRound(engine, pairs, round, true);
            }
        } finally {
            for (Pair pair : pairs) {
                pair.a().close();
                pair.b().close();
            }
            if (!schemas.isEmpty()) {
                PostgreSQLBench.dropSchemas(options.postgresUrl(), schemas);
            }
            Bench.deleteRecursively(dir);
        }
    }

    /** Every traffic on every pair once. */
    private void runRound(String engine, List<Pair> pairs, int round, boolean reported) throws Exception {
        for (Traffic traffic : settings.traffic()) {
            // Each round starts with another cache: whichever runs first after the traffic changes pays for what the
            // previous cell left (the log to checkpoint, the other nodes' collections), and no cache should pay it
            // every round.
            for (int i = 0; i < pairs.size(); i++) {
                measure(engine, pairs.get((i + round) % pairs.size()), traffic, settings.measureMs(), reported);
            }
        }
    }

    private void measure(String engine, Pair pair, Traffic traffic, long measureMs, boolean reported) throws Exception {
        AtomicReference<BenchNode.Stats> stats = new AtomicReference<>(BenchNode.Stats.NONE);
        LoadClient.Result result = LoadClient.run(
                line -> {
                    if (line.equals(LoadClient.MEASURING)) {
                        pair.a().command("RESET");
                        pair.b().command("RESET");
                    } else if (line.equals(LoadClient.MEASURED)) {
                        stats.set(BenchNode.Stats.parse(pair.a().command("STATS"))
                                .plus(BenchNode.Stats.parse(pair.b().command("STATS"))));
                    }
                },
                pair.a().url() + "," + pair.b().url(),
                Integer.toString(settings.users()),
                Long.toString(settings.warmupMs()),
                Long.toString(measureMs),
                traffic.routing(),
                Double.toString(traffic.writeFraction()));
        BenchNode.Stats s = stats.get();
        if (reported) {
            report.twoNode().add(engine, traffic, pair.cache(), result, s);
        }
        System.out.printf(
                "nodes %-10s %-35s %-8s %,7.0f req/s  p50 %7.1f us  p99 %8.1f us  wrong %d  failed %d"
                        + "  signalled/req %.2f  checks/req %.2f (%.1f us)  reloads/req %.2f  loads/req %.2f (%.1f us)"
                        + "  stores/req %.2f (%.1f us)  node CPU %.0f us/req%s%n",
                engine,
                traffic.label(),
                pair.cache(),
                result.requestsPerSec(),
                result.p50Us(),
                result.p99Us(),
                result.wrongMeasured(),
                result.failed(),
                s.perRequest(s.signalled()),
                s.perRequest(s.checks()),
                s.checkMeanMs() * 1000,
                s.perRequest(s.reloads()),
                s.perRequest(s.loads()),
                s.loadMeanMs() * 1000,
                s.perRequest(s.stores()),
                s.storeMeanMs() * 1000,
                s.requests() == 0 ? Double.NaN : s.cpuNanos() / 1000.0 / s.requests(),
                reported ? "" : "  (warm-up, not reported)");
    }

    private record Pair(String cache, Node a, Node b) {}

    /** A {@link BenchNode} process, its standard error in a log file beside the databases. */
    private static final class Node implements AutoCloseable {
        private final Process process;
        private final Path log;
        private final BufferedReader out;
        private final PrintWriter in;
        private String url;

        Node(String engine, String database, String cache, String worker, Path dir) throws IOException {
            log = dir.resolve(cache + "-" + worker + ".log");
            process = new ProcessBuilder(ChildJvm.command(BenchNode.class, engine, database, cache, worker))
                    .redirectError(log.toFile())
                    .start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        /**
         * The node's URL, once it has started (waiting for it the first time). Lines before the port are the JVM's
         * own, such as JFR's when {@code JDK_JAVA_OPTIONS} starts a recording.
         */
        String url() throws IOException {
            String line = "";
            while (url == null && line != null) {
                line = out.readLine();
                if (line != null && line.startsWith(BenchNode.PORT)) {
                    url = "http://127.0.0.1:" + line.substring(BenchNode.PORT.length()) + "/app/user";
                }
            }
            if (url == null) {
                throw new IllegalStateException("node did not start:\n" + Files.readString(log));
            }
            return url;
        }

        /** Sends one command and returns the node's answer. */
        String command(String command) {
            in.println(command);
            try {
                String answer = out.readLine();
                if (answer == null || answer.startsWith("ERROR")) {
                    throw new IllegalStateException(
                            "node failed at " + command + ": " + answer + "\n" + Files.readString(log));
                }
                return answer;
            } catch (IOException e) {
                throw new IllegalStateException("node failed at " + command, e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            in.println("STOP");
            in.close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
