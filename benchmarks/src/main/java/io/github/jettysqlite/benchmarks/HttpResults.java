package io.github.jettysqlite.benchmarks;

import static io.github.jettysqlite.benchmarks.Markdown.rate;
import static io.github.jettysqlite.benchmarks.Markdown.us;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The figures of {@link HttpBench}: one load run per server configuration, and their table. */
final class HttpResults {
    record Http(String config, LoadClient.Result result, double writesPerRequest) {}

    private final Options options;
    private final List<Http> http = new ArrayList<>();

    HttpResults(Options options) {
        this.options = options;
    }

    void add(String config, LoadClient.Result result, double writesPerRequest) {
        http.add(new Http(config, result, writesPerRequest));
    }

    /** Every run in the order it ran, for the targets, which compare each store with in-memory sessions. */
    List<Http> all() {
        return Collections.unmodifiableList(http);
    }

    /**
     * A run that measured no request, or had errors where the server must have none. Jetty's JDBC store answers some
     * requests from a stale row under a NullSessionCache (see the doc): its behaviour to report, not a failure.
     */
    List<String> problems() {
        return http.stream()
                .filter(h -> h.result().requests() == 0
                        || (h.result().errors() > 0 && !h.config().startsWith("jdbc")))
                .map(h -> "http " + h)
                .toList();
    }

    void table(StringBuilder md) {
        Markdown.table(
                md,
                "## HTTP end to end (" + options.httpUsers() + " users, keep-alive, client in its own JVM)\n\n"
                        + "| server | req/s | p50 µs | p99 µs | failed or wrong answers | store calls per request |\n"
                        + "|---|---:|---:|---:|---:|---:|\n",
                http,
                h -> new Object[] {
                    h.config(),
                    rate(h.result().requestsPerSec()),
                    us(h.result().p50Us()),
                    us(h.result().p99Us()),
                    h.result().errors(),
                    Double.isNaN(h.writesPerRequest()) ? "" : String.format(Locale.ROOT, "%.2f", h.writesPerRequest())
                });
    }
}
