package io.github.jettysqlite.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.xml.sax.SAXException;

/**
 * {@code throughput.svg} (issue 25): ops/s by thread count for store new, update, load and delete, one panel each,
 * one line per subject among this store, Jetty's JDBC store with a pool or a connection per thread, and the raw
 * ceilings (NORMAL solid, FULL dashed). Plain SVG text, no dependency.
 */
final class ThroughputChart {
    static final String FILE = "throughput.svg";

    /** One measured cell. */
    record Point(String subject, Operation op, int threads, double opsPerSec) {}

    private static final List<Operation> OPS =
            List.of(Operation.STORE_NEW, Operation.UPDATE, Operation.LOAD, Operation.DELETE);
    /** The subjects charted (by the part of the name before the synchronous mode), each with its colour. */
    private static final Map<String, String> COLOURS = Map.of(
            "sqlite-store", "#1f77b4",
            "jdbc-hikari", "#d62728",
            "jdbc-perthread", "#ff7f0e",
            "raw", "#2ca02c",
            "raw-perthread", "#9467bd");

    private static final int PANEL_W = 480;
    private static final int PANEL_H = 300;
    private static final int LEFT = 70;
    private static final int TOP = 60;
    private static final int PLOT_W = PANEL_W - LEFT - 20;
    private static final int PLOT_H = PANEL_H - 80;
    private static final int LEGEND_ROW = 22;

    private ThroughputChart() {}

    /** The chart, or null when no charted subject ran any charted operation. */
    static String svg(List<Point> all, int size, Shape shape, List<Integer> threadCounts) {
        List<Point> points = all.stream()
                .filter(p -> COLOURS.containsKey(base(p.subject())) && OPS.contains(p.op()))
                .toList();
        if (points.isEmpty()) {
            return null;
        }
        List<String> subjects = points.stream().map(Point::subject).distinct().toList();
        List<Integer> threads = List.copyOf(new TreeSet<>(threadCounts));
        int width = 2 * PANEL_W + 20;
        int height = TOP + 2 * PANEL_H + 20 + LEGEND_ROW * ((subjects.size() + 2) / 3);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"12\">%n",
                width,
                height,
                width,
                height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        text(
                svg,
                width / 2.0,
                28,
                "middle",
                16,
                "Throughput by thread count (ops/s), attributes of " + size + " B, shape " + shape.label());
        for (int i = 0; i < OPS.size(); i++) {
            Operation op = OPS.get(i);
            panel(svg, 10 + (i % 2) * PANEL_W, TOP + (i / 2) * PANEL_H, op, points, subjects, threads);
        }
        legend(svg, TOP + 2 * PANEL_H, subjects);
        return svg.append("</svg>\n").toString();
    }

    private static void panel(
            StringBuilder svg,
            int x0,
            int y0,
            Operation op,
            List<Point> points,
            List<String> subjects,
            List<Integer> threads) {
        List<Point> mine = points.stream().filter(p -> p.op() == op).toList();
        double max = mine.stream().mapToDouble(Point::opsPerSec).max().orElse(1);
        double step = niceStep(Math.max(max, 1) / 5);
        double top = Math.ceil(Math.max(max, 1) / step) * step;
        int left = x0 + LEFT;
        int bottom = y0 + PLOT_H + 30;
        text(svg, left + PLOT_W / 2.0, y0 + 18, "middle", 14, op.label);
        if (mine.isEmpty()) {
            text(svg, left + PLOT_W / 2.0, bottom - PLOT_H / 2.0, "middle", 12, "not measured");
            return;
        }
        for (int i = 0; i * step <= top + step / 2; i++) {
            double v = i * step;
            double y = bottom - v / top * PLOT_H;
            line(svg, left, y, left + PLOT_W, y, v == 0 ? "#333" : "#ddd");
            text(svg, left - 6, y + 4, "end", 11, tick(v));
        }
        line(svg, left, bottom, left, bottom - PLOT_H, "#333");
        for (int t = 0; t < threads.size(); t++) {
            double x = xOf(left, t, threads.size());
            line(svg, x, bottom, x, bottom + 4, "#333");
            text(svg, x, bottom + 17, "middle", 11, Integer.toString(threads.get(t)));
        }
        text(svg, left + PLOT_W / 2.0, bottom + 34, "middle", 11, "threads");
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\""
                        + " transform=\"rotate(-90 %.1f %.1f)\">ops/s</text>%n",
                x0 + 14.0,
                bottom - PLOT_H / 2.0,
                x0 + 14.0,
                bottom - PLOT_H / 2.0));
        for (String subject : subjects) {
            StringBuilder path = new StringBuilder();
            for (int t = 0; t < threads.size(); t++) {
                int count = threads.get(t);
                for (Point p : mine) {
                    if (p.subject().equals(subject) && p.threads() == count) {
                        double x = xOf(left, t, threads.size());
                        double y = bottom - p.opsPerSec() / top * PLOT_H;
                        path.append(path.length() == 0 ? "" : " ")
                                .append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
                        svg.append(String.format(
                                Locale.ROOT,
                                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n",
                                x,
                                y,
                                colour(subject)));
                    }
                }
            }
            if (path.length() > 0) {
                svg.append(String.format(
                        Locale.ROOT,
                        "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                        path,
                        colour(subject),
                        dashed(subject) ? " stroke-dasharray=\"6 4\"" : ""));
            }
        }
    }

    private static void legend(StringBuilder svg, int y0, List<String> subjects) {
        for (int i = 0; i < subjects.size(); i++) {
            String subject = subjects.get(i);
            double x = 20 + (i % 3) * 320;
            double y = y0 + 10 + (i / 3) * LEGEND_ROW;
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"%s/>%n",
                    x,
                    y,
                    x + 30,
                    y,
                    colour(subject),
                    dashed(subject) ? " stroke-dasharray=\"6 4\"" : ""));
            text(svg, x + 38, y + 4, "start", 12, subject);
        }
    }

    private static double xOf(int left, int index, int count) {
        return count == 1 ? left + PLOT_W / 2.0 : left + 20 + (PLOT_W - 40) * index / (double) (count - 1);
    }

    private static String base(String subject) {
        int slash = subject.indexOf('/');
        return slash < 0 ? subject : subject.substring(0, slash);
    }

    private static String colour(String subject) {
        return COLOURS.get(base(subject));
    }

    private static boolean dashed(String subject) {
        return subject.endsWith("/FULL");
    }

    /** 1, 2, 2.5 or 5 times a power of ten, at least {@code rough}. */
    static double niceStep(double rough) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        double f = rough / magnitude;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
        return nice * magnitude;
    }

    private static String tick(double v) {
        if (v >= 1000) {
            double k = v / 1000;
            return (k == Math.rint(k) ? String.format(Locale.ROOT, "%.0f", k) : String.format(Locale.ROOT, "%.1f", k))
                    + "k";
        }
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static void line(StringBuilder svg, double x1, double y1, double x2, double y2, String colour) {
        svg.append(String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>%n",
                x1,
                y1,
                x2,
                y2,
                colour));
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, int size, String text) {
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">%s</text>%n",
                x,
                y,
                anchor,
                size,
                escape(text)));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    /** Parses the file as XML with an {@code svg} root, or throws: the quick run's check that it is well formed. */
    static void check(Path file) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setNamespaceAware(true);
            String root = factory.newDocumentBuilder()
                    .parse(file.toFile())
                    .getDocumentElement()
                    .getLocalName();
            if (!"svg".equals(root)) {
                throw new IOException(file + ": root element " + root + ", not svg");
            }
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException(file + " is not well-formed XML: " + e.getMessage(), e);
        }
    }
}
