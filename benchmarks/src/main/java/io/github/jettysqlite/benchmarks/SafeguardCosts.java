package io.github.jettysqlite.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's "What the safeguards cost" section: what each of the store's safeguards costs a single-threaded
 * caller, the median latency of the operation with it minus the median without, from cells of this run. It measures
 * nothing of its own, so a safeguard whose two sides the run did not measure leaves its cell blank.
 */
final class SafeguardCosts {
    private static final String PLAIN = "sqlite-store/NORMAL";
    private static final String SET_ATTRIBUTE = "sqlite-store-setattr/NORMAL";
    private static final String SEALED = "sqlite-store-sealed/NORMAL";

    /** A safeguard: the operation and subject with it, and the operation and subject without. */
    private record Safeguard(String label, Operation withOp, String with, Operation withoutOp, String without) {}

    private static final List<Safeguard> SAFEGUARDS = List.of(
            new Safeguard(
                    "merge on conflict: update, other copy wrote since",
                    Operation.UPDATE_CONFLICT,
                    PLAIN,
                    Operation.UPDATE,
                    PLAIN),
            new Safeguard(
                    "in-place change detection: update", Operation.UPDATE, PLAIN, Operation.UPDATE, SET_ATTRIBUTE),
            new Safeguard(
                    "in-place change detection: metadata-only update",
                    Operation.TOUCH,
                    PLAIN,
                    Operation.TOUCH,
                    SET_ATTRIBUTE),
            new Safeguard("sealing: store new", Operation.STORE_NEW, SEALED, Operation.STORE_NEW, PLAIN),
            new Safeguard("sealing: update", Operation.UPDATE, SEALED, Operation.UPDATE, PLAIN),
            new Safeguard("sealing: load", Operation.LOAD, SEALED, Operation.LOAD, PLAIN));

    private final Options options;
    private final Map<OpKey, Measure.Stats> operations;

    SafeguardCosts(Options options, Map<OpKey, Measure.Stats> operations) {
        this.options = options;
        this.operations = operations;
    }

    /** The section, or nothing when the run measured both sides of no safeguard at any size. */
    void write(StringBuilder md) {
        StringBuilder table = new StringBuilder();
        boolean any = false;
        for (Safeguard safeguard : SAFEGUARDS) {
            StringBuilder line = new StringBuilder("| " + safeguard.label() + " |");
            for (int size : options.sizes()) {
                Shape shape = options.primaryShape();
                Measure.Stats with = operations.get(new OpKey(safeguard.with(), safeguard.withOp(), size, shape, 1));
                Measure.Stats without =
                        operations.get(new OpKey(safeguard.without(), safeguard.withoutOp(), size, shape, 1));
                if (with == null || without == null) {
                    line.append(" |");
                    continue;
                }
                any = true;
                line.append(String.format(
                        Locale.ROOT,
                        " %+.1f us (%.1f vs %.1f; %.2fx throughput) |",
                        with.p50Us() - without.p50Us(),
                        with.p50Us(),
                        without.p50Us(),
                        with.opsPerSec() / without.opsPerSec()));
            }
            table.append(line).append('\n');
        }
        if (!any) {
            return;
        }
        md.append("## What the safeguards cost\n\n");
        md.append("1 thread, `synchronous=NORMAL`, shape `")
                .append(options.primaryShape().label())
                .append("`: p50 with it minus p50 without, in microseconds per call.\n\n");
        md.append("| safeguard |");
        options.sizes().forEach(size -> md.append(' ').append(size / 1024).append(" KiB |"));
        md.append("\n|---|");
        options.sizes().forEach(size -> md.append("---:|"));
        md.append('\n').append(table).append('\n');
    }
}
