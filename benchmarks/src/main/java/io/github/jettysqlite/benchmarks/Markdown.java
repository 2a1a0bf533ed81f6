package io.github.jettysqlite.benchmarks;

import java.util.Locale;

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
