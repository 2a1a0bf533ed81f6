package io.github.jettysqlite.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Command-line settings. {@code --quick} is the smoke run the build executes (tiny durations and N); every other
 * option overrides one setting of the full run.
 */
record Options(
        Path dataDir,
        Path outDir,
        List<String> subjects,
        List<Operation> operations,
        List<Integer> threads,
        List<Integer> sizes,
        List<Shape> shapes,
        Set<String> sections,
        long warmupMs,
        long firstWarmupMs,
        long measureMs,
        int baseSessions,
        List<Integer> expiryN,
        int expiryRepeats,
        int sizeSessions,
        int heapSessions,
        int httpUsers,
        long httpWarmupMs,
        long httpMeasureMs,
        boolean quick,
        String postgresUrl,
        Nodes nodes) {

    static final List<String> ALL_SECTIONS =
            List.of("serde", "ops", "expiry", "size", "heap", "http", "postgres", "nodes");

    /**
     * The two-node section's settings ({@link TwoNodeBench}): engines, caches and traffic measured, and per run the
     * users, warm-up and measured period; each run is repeated {@code rounds} times and the figures averaged, after
     * {@code warmupRounds} rounds like them that are not reported.
     */
    record Nodes(
            List<String> engines,
            List<String> caches,
            List<TwoNodeBench.Traffic> traffic,
            int users,
            long warmupMs,
            long measureMs,
            int rounds,
            int warmupRounds) {}

    static Options parse(String... args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        Path dataDir = Path.of("target/bench-data");
        Path outDir = Path.of("target/bench-results");
        List<String> subjects = Subjects.ALL;
        List<Operation> operations = List.of(Operation.values());
        List<Integer> threads = quick ? List.of(1, 4) : List.of(1, 2, 4, 8, 32);
        List<Integer> sizes = List.of(1024, 16 * 1024);
        // The smoke run checks every subject on the richest shape (every type the others hold, and more): all three
        // shapes tripled its time for no case the richest does not cover.
        List<Shape> shapes = quick ? List.of(Shape.TEN) : List.of(Shape.values());
        Set<String> sections = new TreeSet<>(ALL_SECTIONS);
        long warmupMs = quick ? 5 : 300;
        long firstWarmupMs = quick ? 20 : 1500;
        long measureMs = quick ? 20 : 1200;
        int baseSessions = quick ? 64 : 1000;
        List<Integer> expiryN = quick ? List.of(1_000, 5_000) : List.of(10_000, 100_000, 1_000_000);
        int expiryRepeats = quick ? 3 : 15;
        int sizeSessions = quick ? 500 : 10_000;
        int heapSessions = quick ? 300 : 10_000;
        int httpUsers = quick ? 4 : 16;
        long httpWarmupMs = quick ? 300 : 3000;
        long httpMeasureMs = quick ? 500 : 6000;
        String postgresUrl = System.getenv("JSS_POSTGRES_URL");
        List<String> nodesEngines = TwoNodeBench.ENGINES;
        List<String> nodesCaches = TwoNodeBench.CACHES;
        List<TwoNodeBench.Traffic> nodesTraffic = TwoNodeBench.TRAFFIC;
        int nodesUsers = quick ? 4 : 16;
        long nodesWarmupMs = quick ? 200 : 2500;
        long nodesMeasureMs = quick ? 300 : 4000;
        int nodesRounds = quick ? 1 : 3;
        int nodesWarmupRounds = quick ? 0 : 6;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--quick" -> {
                    continue;
                }
                case "--data-dir" -> dataDir = Path.of(value);
                case "--out" -> outDir = Path.of(value);
                case "--subjects" -> subjects = List.of(value.split(","));
                case "--ops" ->
                    operations = Arrays.stream(value.split(","))
                            .map(s -> Operation.valueOf(s.toUpperCase()))
                            .toList();
                case "--threads" -> threads = ints(value);
                case "--sizes" -> sizes = ints(value);
                case "--shapes" ->
                    shapes = Arrays.stream(value.split(",")).map(Shape::parse).toList();
                case "--sections" -> sections = new TreeSet<>(List.of(value.split(",")));
                case "--warmup-ms" -> warmupMs = Long.parseLong(value);
                case "--first-warmup-ms" -> firstWarmupMs = Long.parseLong(value);
                case "--measure-ms" -> measureMs = Long.parseLong(value);
                case "--base-sessions" -> baseSessions = Integer.parseInt(value);
                case "--expiry-n" -> expiryN = ints(value);
                case "--expiry-repeats" -> expiryRepeats = Integer.parseInt(value);
                case "--size-sessions" -> sizeSessions = Integer.parseInt(value);
                case "--heap-sessions" -> heapSessions = Integer.parseInt(value);
                case "--http-users" -> httpUsers = Integer.parseInt(value);
                case "--http-warmup-ms" -> httpWarmupMs = Long.parseLong(value);
                case "--http-measure-ms" -> httpMeasureMs = Long.parseLong(value);
                case "--postgres-url" -> postgresUrl = value;
                case "--nodes-engines" -> nodesEngines = List.of(value.split(","));
                case "--nodes-caches" -> nodesCaches = List.of(value.split(","));
                case "--nodes-traffic" ->
                    nodesTraffic = Arrays.stream(value.split(","))
                            .map(TwoNodeBench.Traffic::parse)
                            .toList();
                case "--nodes-users" -> nodesUsers = Integer.parseInt(value);
                case "--nodes-warmup-ms" -> nodesWarmupMs = Long.parseLong(value);
                case "--nodes-measure-ms" -> nodesMeasureMs = Long.parseLong(value);
                case "--nodes-rounds" -> nodesRounds = atLeast(args[i], value, 1);
                case "--nodes-warmup-rounds" -> nodesWarmupRounds = atLeast(args[i], value, 0);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; see docs/benchmarks.md");
            }
            i++;
        }
        for (String section : sections) {
            if (!ALL_SECTIONS.contains(section)) {
                throw new IllegalArgumentException("unknown section " + section + "; known: " + ALL_SECTIONS);
            }
        }
        return new Options(
                dataDir,
                outDir,
                subjects,
                operations,
                threads,
                sizes,
                shapes,
                sections,
                warmupMs,
                firstWarmupMs,
                measureMs,
                baseSessions,
                expiryN,
                expiryRepeats,
                sizeSessions,
                heapSessions,
                httpUsers,
                httpWarmupMs,
                httpMeasureMs,
                quick,
                postgresUrl,
                new Nodes(
                        nodesEngines,
                        nodesCaches,
                        nodesTraffic,
                        nodesUsers,
                        nodesWarmupMs,
                        nodesMeasureMs,
                        nodesRounds,
                        nodesWarmupRounds));
    }

    /** The shape of the targets, the safeguard costs and the PostgreSQL section: the first one asked for. */
    Shape primaryShape() {
        return shapes.get(0);
    }

    private static int atLeast(String option, String value, int least) {
        int parsed = Integer.parseInt(value);
        if (parsed < least) {
            throw new IllegalArgumentException(option + " must be at least " + least + ", not " + value);
        }
        return parsed;
    }

    private static List<Integer> ints(String csv) {
        return Arrays.stream(csv.split(",")).map(Integer::parseInt).toList();
    }
}
