package io.github.jettysqlite.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** How the report writes its tables and figures, in one place so that every section formats them alike. */
final class Markdown {
    private Markdown() {}

    /** One table row: the cells between pipes, and the line's end. */
    static void row(StringBuilder md, Object... cells) {
        md.append('|');
        for (Object cell : cells) {
            md.append(' ').append(cell).append(" |");
        }
        md.append('\n');
    }

    /**
     * A section that is one table of a row per item, or nothing at all when there is no item: {@code head} is all that
     * stands above the rows (heading, text, header and alignment line), {@code cells} gives an item's row.
     */
    static <T> void table(StringBuilder md, String head, List<T> items, Function<? super T, Object[]> cells) {
        if (items.isEmpty()) {
            return;
        }
        md.append(head);
        for (T item : items) {
            row(md, cells.apply(item));
        }
        md.append('\n');
    }

    /** The heading of a table of one attribute size and shape. */
    static void sizeHeading(StringBuilder md, int size, Shape shape) {
        md.append("### Attributes of ")
                .append(size / 1024)
                .append(" KiB, shape `")
                .append(shape.label())
                .append("`\n\n");
    }

    /** A target's row: both figures, their ratio, what was needed and whether the ratio met it. */
    static void targetRow(
            StringBuilder md, String label, String ours, String anchor, double ratio, String needed, boolean met) {
        row(md, label, ours, anchor, String.format(Locale.ROOT, "%.2fx", ratio), needed, met ? "met" : "**missed**");
    }

    /** A cell's throughput, then p50 / p99 latency in microseconds, and its errors if it had any. */
    static String figures(Measure.Stats s) {
        return rate(s.opsPerSec()) + "<br>" + us(s.p50Us()) + " / " + us(s.p99Us())
                + (s.errors() > 0 ? " [" + s.errors() + " errors]" : "");
    }

    static String rate(double perSec) {
        return String.format(Locale.ROOT, "%,.0f", perSec);
    }

    static String us(double us) {
        return String.format(Locale.ROOT, us < 100 ? "%.1f" : "%,.0f", us);
    }

    static String ms(double ms) {
        return String.format(Locale.ROOT, "%.3f ms", ms);
    }

    /** A session count as the tables print it: 10k, 1M. */
    static String count(int n) {
        return n >= 1_000_000 && n % 1_000_000 == 0
                ? n / 1_000_000 + "M"
                : n >= 1000 && n % 1000 == 0 ? n / 1000 + "k" : Integer.toString(n);
    }
}
