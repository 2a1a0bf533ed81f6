package io.github.jettysqlite.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The figures of {@link SizeBench}: disk space per 10,000 sessions by store, size and shape, and their table. */
final class SizeResults {
    private record Size(String subject, int size, Shape shape, long bytesPer10k) {}

    private final List<Size> sizes = new ArrayList<>();

    void add(String subject, int size, Shape shape, long bytesPer10k) {
        sizes.add(new Size(subject, size, shape, bytesPer10k));
    }

    /** A store that took no space at all: the measurement missed its files, and the figure would mislead. */
    List<String> problems() {
        return sizes.stream()
                .filter(s -> s.bytesPer10k() <= 0)
                .map(s -> "size " + s)
                .toList();
    }

    void table(StringBuilder md) {
        Markdown.table(
                md,
                "## Disk space per 10,000 sessions (after the store stopped)\n\n"
                        + "| store | attributes | shape | MiB |\n"
                        + "|---|---:|---|---:|\n",
                sizes,
                s -> new Object[] {
                    s.subject(),
                    s.size() + " B",
                    s.shape().label(),
                    String.format(Locale.ROOT, "%.1f", s.bytesPer10k() / 1048576.0)
                });
    }
}
