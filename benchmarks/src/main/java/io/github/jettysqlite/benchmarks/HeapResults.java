package io.github.jettysqlite.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The heap section's figures ({@link HeapBench}): bytes per cached session by store and shape, and their table. */
final class HeapResults {
    /** This store, and Jetty's JDBC store it is compared with. */
    static final String OURS = "sqlite-store/NORMAL";

    static final String JETTY = "jdbc-perthread/NORMAL";

    private record Heap(
            String subject, Shape shape, int size, int n, int serializedBytes, double bytesPerSession, int wrong) {}

    private final List<Heap> heaps = new ArrayList<>();

    synchronized void add(
            String subject, Shape shape, int size, int n, int serializedBytes, double bytesPerSession, int wrong) {
        heaps.add(new Heap(subject, shape, size, n, serializedBytes, bytesPerSession, wrong));
    }

    int count() {
        return heaps.size();
    }

    /** A load that returned other attributes than were stored; never a figure. */
    List<String> problems() {
        return heaps.stream()
                .filter(h -> h.wrong() > 0)
                .map(h -> "heap " + h + ": loads returned other attributes than were stored")
                .toList();
    }

    void table(StringBuilder md) {
        if (heaps.isEmpty()) {
            return;
        }
        List<String> subjects = heaps.stream().map(Heap::subject).distinct().toList();
        md.append("## Heap per cached session\n\n")
                .append(
                        "Bytes of heap each loaded `SessionData` keeps reachable, as a `DefaultSessionCache` holds it: ")
                .append(heaps.get(0).n())
                .append(" sessions loaded through the store and kept, used heap after minus before (each read once ")
                .append("repeated `System.gc()` settled it), divided by their number. The ratio is ")
                .append(OURS)
                .append(" over ")
                .append(JETTY)
                .append(".\n\n| shape | attributes | serialized B |");
        subjects.forEach(s -> md.append(' ').append(s).append(" B |"));
        md.append(" ratio |\n|---|---:|---:|");
        subjects.forEach(s -> md.append("---:|"));
        md.append("---:|\n");
        heaps.stream().map(h -> List.of(h.shape(), h.size())).distinct().forEach(cell -> {
            List<Heap> row = heaps.stream()
                    .filter(h -> h.shape() == cell.get(0) && h.size() == (int) cell.get(1))
                    .toList();
            md.append("| ")
                    .append(row.get(0).shape().label())
                    .append(" | ")
                    .append(row.get(0).size())
                    .append(" B | ")
                    .append(row.get(0).serializedBytes())
                    .append(" |");
            for (String subject : subjects) {
                md.append(' ').append(of(row, subject)).append(" |");
            }
            Heap ours = find(row, OURS);
            Heap jetty = find(row, JETTY);
            md.append(' ')
                    .append(
                            ours == null || jetty == null
                                    ? ""
                                    : String.format(
                                            Locale.ROOT, "%.2fx", ours.bytesPerSession() / jetty.bytesPerSession()))
                    .append(" |\n");
        });
        md.append('\n');
    }

    private static String of(List<Heap> row, String subject) {
        Heap h = find(row, subject);
        return h == null
                ? ""
                : String.format(Locale.ROOT, "%,.0f", h.bytesPerSession()) + (h.wrong() > 0 ? " WRONG" : "");
    }

    private static Heap find(List<Heap> row, String subject) {
        return row.stream().filter(h -> h.subject().equals(subject)).findFirst().orElse(null);
    }
}
