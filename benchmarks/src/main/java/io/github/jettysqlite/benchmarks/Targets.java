package io.github.jettysqlite.benchmarks;

import static io.github.jettysqlite.benchmarks.Markdown.count;
import static io.github.jettysqlite.benchmarks.Markdown.ms;
import static io.github.jettysqlite.benchmarks.Markdown.rate;
import static io.github.jettysqlite.benchmarks.Markdown.targetRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The report's "Targets" section: the targets checked against this run, each a ratio of this store's figure
 * to an anchor's (Jetty's JDBC store as documented, with HikariCP, the raw ceiling, Jetty's in-memory sessions).
 */
final class Targets {
    private static final int KIB = 1024;
    private static final List<Integer> UNDER_LOAD = List.of(8, 32);

    /** This store against an anchor at one operation, attribute size and thread count, and the ratio it needs. */
    private record Ratio(String label, String anchor, Operation op, int size, int threads, double needed) {}

    private final Options options;
    private final Map<OpKey, Measure.Stats> operations;
    private final List<ExpiryResults.Expiry> expiry;
    private final List<HttpResults.Http> http;

    Targets(
            Options options,
            Map<OpKey, Measure.Stats> operations,
            List<ExpiryResults.Expiry> expiry,
            List<HttpResults.Http> http) {
        this.options = options;
        this.operations = operations;
        this.expiry = expiry;
        this.http = http;
    }

    /** The section's heading, its table header and one row per target this run measured both sides of. */
    void write(StringBuilder md, TwoNodeResults twoNode) {
        md.append("## Targets\n\n");
        md.append("Ratios from this run; 1 KiB attributes of shape `")
                .append(options.primaryShape().label())
                .append("` and 1 thread unless the row says otherwise.\n\n");
        md.append("| target | this store | anchor | ratio | needed | |\n|---|---:|---:|---:|---:|---|\n");
        for (String sync : List.of("NORMAL", "FULL")) {
            for (Ratio ratio : ratios(sync)) {
                write(md, "sqlite-store/" + sync, ratio);
            }
        }
        if (!expiry.isEmpty()) {
            expiryScaling(md);
            expiryAgainstJetty(md);
        }
        httpAgainstMemory(md);
        twoNode.targets(md);
        md.append('\n');
    }

    /** The operation targets at one {@code synchronous} setting, in the order the section lists them. */
    private static List<Ratio> ratios(String sync) {
        String s = " (" + sync + ")";
        String documented = "jdbc-documented/" + sync;
        String hikari = "jdbc-hikari/" + sync;
        String raw = "raw/" + sync;
        List<Ratio> ratios = new ArrayList<>(List.of(
                new Ratio("store new vs JDBC documented" + s, documented, Operation.STORE_NEW, KIB, 1, 10),
                new Ratio("update vs JDBC documented" + s, documented, Operation.UPDATE, KIB, 1, 10),
                new Ratio("load vs JDBC documented" + s, documented, Operation.LOAD, KIB, 1, 3),
                new Ratio("store new vs JDBC+Hikari" + s, hikari, Operation.STORE_NEW, KIB, 1, 1.0),
                new Ratio("update vs JDBC+Hikari" + s, hikari, Operation.UPDATE, KIB, 1, 1.0),
                new Ratio("load vs JDBC+Hikari" + s, hikari, Operation.LOAD, KIB, 1, 1.0),
                new Ratio(
                        "metadata-only update, 16 KiB, vs JDBC+Hikari" + s, hikari, Operation.TOUCH, 16 * KIB, 1, 2)));
        ratios.addAll(writesUnderLoad("JDBC+Hikari" + s, hikari));
        ratios.add(new Ratio("store new vs raw 1 row/tx" + s, raw, Operation.STORE_NEW, KIB, 1, 0.8));
        ratios.add(new Ratio("load vs raw select + Jetty deserialization" + s, raw, Operation.LOAD, KIB, 1, 0.9));
        ratios.addAll(writesUnderLoad("raw 1 row/tx" + s, raw));
        return ratios;
    }

    /** New sessions and updates at each thread count of {@link #UNDER_LOAD}: at least twice the anchor. */
    private static List<Ratio> writesUnderLoad(String anchorName, String anchor) {
        List<Ratio> ratios = new ArrayList<>();
        for (int threads : UNDER_LOAD) {
            String t = ", " + threads + " threads vs " + anchorName;
            ratios.add(new Ratio("store new" + t, anchor, Operation.STORE_NEW, KIB, threads, 2));
            ratios.add(new Ratio("update" + t, anchor, Operation.UPDATE, KIB, threads, 2));
        }
        return ratios;
    }

    private void write(StringBuilder md, String ours, Ratio ratio) {
        Shape shape = options.primaryShape();
        Measure.Stats a = operations.get(new OpKey(ours, ratio.op(), ratio.size(), shape, ratio.threads()));
        Measure.Stats b = operations.get(new OpKey(ratio.anchor(), ratio.op(), ratio.size(), shape, ratio.threads()));
        if (a == null || b == null) {
            return;
        }
        double r = a.opsPerSec() / b.opsPerSec();
        targetRow(
                md,
                ratio.label(),
                rate(a.opsPerSec()) + "/s",
                rate(b.opsPerSec()) + "/s",
                r,
                ">= " + ratio.needed(),
                r >= ratio.needed());
    }

    /** Finding a fixed number of expired sessions takes no longer among many sessions than among few. */
    private void expiryScaling(StringBuilder md) {
        int smallest = options.expiryN().get(0);
        int largest = options.expiryN().get(options.expiryN().size() - 1);
        for (ExpiryResults.Expiry big : expiry) {
            if (big.n() != largest
                    || !big.subject().equals(ExpiryBench.OURS)
                    || !big.query().endsWith(ExpiryBench.FIXED_EXPIRED + " expired")) {
                continue;
            }
            expiry.stream()
                    .filter(e -> e.subject().equals(big.subject())
                            && e.n() == smallest
                            && e.query().equals(big.query()))
                    .findFirst()
                    .ifPresent(small -> targetRow(
                            md,
                            big.query() + ": time at N=" + count(largest) + " / N=" + count(smallest),
                            ms(big.medianMs()),
                            ms(small.medianMs()),
                            big.medianMs() / small.medianMs(),
                            "<= 1.5",
                            big.medianMs() / small.medianMs() <= 1.5));
        }
    }

    /** Each expiry call is no slower than Jetty's JDBC store's at the same N. */
    private void expiryAgainstJetty(StringBuilder md) {
        for (ExpiryResults.Expiry ours : expiry) {
            if (!ours.subject().equals(ExpiryBench.OURS)) {
                continue;
            }
            expiry.stream()
                    .filter(e -> e.subject().equals(ExpiryBench.JETTY)
                            && e.n() == ours.n()
                            && e.query().equals(ours.query()))
                    .findFirst()
                    .ifPresent(jetty -> targetRow(
                            md,
                            ours.query() + ", N=" + count(ours.n()) + ": time vs Jetty JDBC+Hikari",
                            ms(ours.medianMs()),
                            ms(jetty.medianMs()),
                            ours.medianMs() / jetty.medianMs(),
                            "<= 1.0",
                            ours.medianMs() <= jetty.medianMs()));
        }
    }

    /** Over HTTP, this store serves most of what Jetty's in-memory sessions serve. */
    private void httpAgainstMemory(StringBuilder md) {
        HttpResults.Http upper = http.stream()
                .filter(h -> h.config().equals(HttpBench.IN_MEMORY))
                .findFirst()
                .orElse(null);
        if (upper == null) {
            return;
        }
        for (HttpResults.Http h : http) {
            if (!h.config().startsWith("sqlite-store")) {
                continue;
            }
            double needed = h.config().contains("NullSessionCache") ? 0.7 : 0.9;
            double r = h.result().requestsPerSec() / upper.result().requestsPerSec();
            targetRow(
                    md,
                    "HTTP " + h.config() + " vs in-memory",
                    rate(h.result().requestsPerSec()) + " req/s",
                    rate(upper.result().requestsPerSec()) + " req/s",
                    r,
                    ">= " + needed,
                    r >= needed);
        }
    }
}
