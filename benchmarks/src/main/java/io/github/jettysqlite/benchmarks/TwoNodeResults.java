package io.github.jettysqlite.benchmarks;

import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The figures of {@link TwoNodeBench}, run by run; each cell (engine, traffic, cache) is written as the mean of its
 * rounds, with the nodes' store statistics of all its rounds added up.
 */
final class TwoNodeResults {
    private record Key(String engine, TwoNodeBench.Traffic traffic, String cache) {}

    /**
     * The runs of one cell so far: each run's throughput, in the order of the rounds, and sums of the rest, from
     * which the means are taken when written.
     */
    private record Cell(
            List<Double> rates,
            double p50Us,
            double p99Us,
            long requests,
            long answered,
            long wrong,
            long failed,
            BenchNode.Stats stats) {
        static final Cell NONE = new Cell(List.of(), 0, 0, 0, 0, 0, 0, BenchNode.Stats.NONE);

        Cell plus(LoadClient.Result r, BenchNode.Stats s) {
            List<Double> more = new ArrayList<>(rates);
            more.add(r.requestsPerSec());
            return new Cell(
                    List.copyOf(more),
                    p50Us + r.p50Us(),
                    p99Us + r.p99Us(),
                    requests + r.requests(),
                    answered + r.answered(),
                    wrong + r.wrongMeasured(),
                    failed + r.failed(),
                    stats.plus(s));
        }

        int runs() {
            return rates.size();
        }

        double meanRequestsPerSec() {
            return rates.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }
    }

    private static final Map<String, String> CACHE_NAMES = Map.of(
            "coherent", "CoherentSessionCache",
            "default", "DefaultSessionCache",
            "null", "NullSessionCache");

    private final Options.Nodes settings;
    private final Map<Key, Cell> cells = new LinkedHashMap<>();
    private final List<String> skipped = new ArrayList<>();

    TwoNodeResults(Options.Nodes settings) {
        this.settings = settings;
    }

    void add(String engine, TwoNodeBench.Traffic traffic, String cache, LoadClient.Result result, BenchNode.Stats s) {
        cells.merge(new Key(engine, traffic, cache), Cell.NONE.plus(result, s), (a, b) -> a.plus(result, s));
    }

    void skipped(String engine) {
        skipped.add(engine);
    }

    int count() {
        return cells.size();
    }

    /**
     * A cell whose requests were never answered, a failed request, a failed check, or a wrong answer where the cache
     * must be right: every cache on sticky traffic, and the coherent and null caches on any (Jetty's
     * DefaultSessionCache is wrong across nodes by design, which the table shows). Answers count over the whole run,
     * so that the smoke run, whose measured period a loaded machine may leave empty, still checks them.
     */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        cells.forEach((k, c) -> {
            boolean mayBeWrong = k.cache().equals("default") && k.traffic().alternating();
            if (c.answered() == 0
                    || c.failed() > 0
                    || c.stats().checkFailures() > 0
                    || (c.wrong() > 0 && !mayBeWrong)) {
                problems.add("nodes " + k + ": " + c);
            }
        });
        return problems;
    }

    /** The targets for the coherent cache, one row each per engine. */
    void targets(StringBuilder md) {
        for (String engine : settings.engines()) {
            target(md, engine, TwoNodeBench.Traffic.STICKY_TENTH, "default", 0.9);
            target(md, engine, TwoNodeBench.Traffic.ALTERNATING_TENTH, "null", 1.5);
            target(md, engine, TwoNodeBench.Traffic.ALTERNATING_ALL, "null", 1.0);
        }
    }

    private void target(StringBuilder md, String engine, TwoNodeBench.Traffic traffic, String anchor, double needed) {
        Cell ours = cells.get(new Key(engine, traffic, "coherent"));
        Cell other = cells.get(new Key(engine, traffic, anchor));
        if (ours == null || other == null) {
            return;
        }
        double r = ours.meanRequestsPerSec() / other.meanRequestsPerSec();
        // The two ran one after the other in each round: how far their ratio moves between rounds shows the noise.
        int rounds = Math.min(ours.runs(), other.runs());
        DoubleSummaryStatistics perRound = IntStream.range(0, rounds)
                .mapToDouble(i -> ours.rates().get(i) / other.rates().get(i))
                .summaryStatistics();
        String spread = rounds < 2
                ? ""
                : String.format(Locale.ROOT, " (rounds: %.2f-%.2fx)", perRound.getMin(), perRound.getMax());
        Markdown.targetRow(
                md,
                "two nodes, " + engine + ", " + traffic.label() + ": CoherentSessionCache vs " + CACHE_NAMES.get(anchor)
                        + spread,
                Markdown.rate(ours.meanRequestsPerSec()) + " req/s",
                Markdown.rate(other.meanRequestsPerSec()) + " req/s",
                r,
                ">= " + needed,
                r >= needed);
    }

    void table(StringBuilder md) {
        if (cells.isEmpty() && skipped.isEmpty()) {
            return;
        }
        md.append("## Two nodes, one database: CoherentSessionCache beside Jetty's caches\n\n")
                .append(settings.users())
                .append(" users over keep-alive, each node and the client in a JVM of its own; mean of ")
                .append(settings.rounds())
                .append(" round(s) of ")
                .append(settings.warmupMs())
                .append(" ms warm-up and ")
                .append(settings.measureMs())
                .append(" ms measured, after ")
                .append(settings.warmupRounds())
                .append(" unreported warm-up round(s).")
                .append(" Wrong answers: measured answers that did not show the value the user last"
                        + " stored. From both nodes' store statistics over the measured periods, per request and"
                        + " each with its mean time: cached sessions used without reading their row because no"
                        + " change of them was signalled (SQLite's change board), checks of a cached session against"
                        + " its row, loads (for the"
                        + " coherent cache, reloads after a check found the attributes changed) and stores; and the"
                        + " CPU time both node JVMs used per request (every thread: Jetty, the store, the JIT, the"
                        + " collector), which the machine's load moves far less than the throughput.\n\n")
                .append(
                        "| engine | traffic | cache | req/s | p50 µs | p99 µs | wrong answers | signalled/req | checks/req | µs/check"
                                + " | loads/req | µs/load | stores/req | µs/store | node CPU µs/req |\n")
                .append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        cells.forEach((k, c) -> {
            BenchNode.Stats s = c.stats();
            boolean incoherent = k.cache().equals("default") && k.traffic().alternating();
            md.append("| ")
                    .append(k.engine())
                    .append(" | ")
                    .append(k.traffic().label())
                    .append(" | ")
                    .append(CACHE_NAMES.getOrDefault(k.cache(), k.cache()))
                    .append(incoherent ? " (incorrect across nodes)" : "")
                    .append(" | ")
                    .append(Markdown.rate(c.meanRequestsPerSec()))
                    .append(" | ")
                    .append(Markdown.us(c.p50Us() / c.runs()))
                    .append(" | ")
                    .append(Markdown.us(c.p99Us() / c.runs()))
                    .append(" | ")
                    .append(c.wrong())
                    .append(
                            c.wrong() > 0
                                    ? String.format(Locale.ROOT, " (%.1f %%)", 100.0 * c.wrong() / c.requests())
                                    : "")
                    .append(" | ")
                    .append(fixed(s.perRequest(s.signalled())))
                    .append(" | ")
                    .append(fixed(s.perRequest(s.checks())))
                    .append(" | ")
                    .append(s.checks() == 0 ? "" : Markdown.us(s.checkMeanMs() * 1000))
                    .append(" | ")
                    .append(fixed(s.perRequest(s.loads())))
                    .append(" | ")
                    .append(s.loads() == 0 ? "" : Markdown.us(s.loadMeanMs() * 1000))
                    .append(" | ")
                    .append(fixed(s.perRequest(s.stores())))
                    .append(" | ")
                    .append(s.stores() == 0 ? "" : Markdown.us(s.storeMeanMs() * 1000))
                    .append(" | ")
                    .append(s.requests() == 0 ? "" : Markdown.us(s.cpuNanos() / 1000.0 / s.requests()))
                    .append(" |\n");
        });
        md.append('\n');
        for (String engine : skipped) {
            md.append("Skipped ").append(engine).append(": no server named (--postgres-url or JSS_POSTGRES_URL).\n\n");
        }
    }

    private static String fixed(double value) {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.2f", value);
    }
}
