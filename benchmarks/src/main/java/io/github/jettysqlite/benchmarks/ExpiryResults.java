package io.github.jettysqlite.benchmarks;

import static io.github.jettysqlite.benchmarks.Markdown.count;
import static io.github.jettysqlite.benchmarks.Markdown.ms;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The figures of {@link ExpiryBench}: each expiry call's median time by store and number of sessions, and their table. */
final class ExpiryResults {
    record Expiry(String subject, int n, String query, double medianMs, boolean correct) {}

    private final Options options;
    private final List<Expiry> expiry = new ArrayList<>();

    ExpiryResults(Options options) {
        this.options = options;
    }

    void add(String subject, int n, String query, double medianMs, boolean correct) {
        expiry.add(new Expiry(subject, n, query, medianMs, correct));
    }

    /** Every call in the order it ran, for the targets, which compare calls across N and stores. */
    List<Expiry> all() {
        return Collections.unmodifiableList(expiry);
    }

    /** A call that found other sessions than those expired: its time measures the wrong work. */
    List<String> problems() {
        return expiry.stream()
                .filter(e -> !e.correct())
                .map(e -> "expiry wrong result: " + e)
                .toList();
    }

    /** A row per call and store, a column per N; a wrong result is marked beside its time. */
    void table(StringBuilder md) {
        if (expiry.isEmpty()) {
            return;
        }
        md.append("## Expiry calls, N sessions, every expired one last used by this node (median ms)\n\n");
        md.append("| call | store |");
        options.expiryN().forEach(n -> md.append(" N=").append(count(n)).append(" |"));
        md.append("\n|---|---|");
        options.expiryN().forEach(n -> md.append("---:|"));
        md.append('\n');
        expiry.stream()
                .map(Expiry::query)
                .distinct()
                .forEach(q -> expiry.stream().map(Expiry::subject).distinct().forEach(subject -> {
                    md.append("| ").append(q).append(" | ").append(subject).append(" |");
                    for (int n : options.expiryN()) {
                        expiry.stream()
                                .filter(e -> e.n() == n
                                        && e.query().equals(q)
                                        && e.subject().equals(subject))
                                .findFirst()
                                .ifPresentOrElse(
                                        e -> md.append(' ')
                                                .append(ms(e.medianMs()))
                                                .append(e.correct() ? "" : " WRONG")
                                                .append(" |"),
                                        () -> md.append(" |"));
                    }
                    md.append('\n');
                }));
        md.append('\n');
    }
}
