package io.github.jettysqlite.benchmarks;

import static io.github.jettysqlite.benchmarks.Markdown.rate;
import static io.github.jettysqlite.benchmarks.Markdown.us;

import java.util.ArrayList;
import java.util.List;

/**
 * Jetty's attribute serialization measured alone, by size and shape: the share of each store's time that no store
 * can save, and its table.
 */
final class SerdeResults {
    private record Serde(int size, Shape shape, String what, Measure.Stats stats) {}

    private final List<Serde> serde = new ArrayList<>();

    void add(int size, Shape shape, String what, Measure.Stats stats) {
        serde.add(new Serde(size, shape, what, stats));
    }

    /** A measurement that did nothing or failed: Jetty's own code, so any failure is the benchmark's. */
    List<String> problems() {
        return serde.stream()
                .filter(s -> s.stats().ops() == 0 || s.stats().errors() > 0)
                .map(s -> "serde " + s)
                .toList();
    }

    void table(StringBuilder md) {
        Markdown.table(
                md,
                "## Jetty attribute serialization alone (1 thread)\n\n"
                        + "| attributes | shape | operation | p50 µs | ops/s |\n"
                        + "|---:|---|---|---:|---:|\n",
                serde,
                s -> new Object[] {
                    s.size() + " B",
                    s.shape().label(),
                    s.what(),
                    us(s.stats().p50Us()),
                    rate(s.stats().opsPerSec())
                });
    }
}
