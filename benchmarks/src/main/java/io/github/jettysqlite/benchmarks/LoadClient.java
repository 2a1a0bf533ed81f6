package io.github.jettysqlite.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The HTTP load generator, run in its own JVM by {@link HttpBench}: {@code users} users, each with its own session
 * cookie, each sending its next request as soon as the previous one answered, over keep-alive connections. Checks
 * that every answer is the user's previous count plus one (the session was read and written). Prints one
 * {@value #RESULT} line.
 *
 * <p>Usage: {@code LoadClient url users warmupMs measureMs}
 */
public final class LoadClient {
    static final String RESULT = "RESULT ";

    private LoadClient() {}

    /** What one load run measured. {@code errors} counts failed requests and answers with a wrong count. */
    record Result(long requests, double seconds, double requestsPerSec, double p50Us, double p99Us, long errors) {
        String format() {
            return RESULT + requests + " " + seconds + " " + requestsPerSec + " " + p50Us + " " + p99Us + " " + errors;
        }

        static Result parse(String line) {
            String[] f = line.substring(RESULT.length()).trim().split(" ");
            return new Result(
                    Long.parseLong(f[0]),
                    Double.parseDouble(f[1]),
                    Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]),
                    Long.parseLong(f[5]));
        }
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int users = Integer.parseInt(args[1]);
        long warmupMs = Long.parseLong(args[2]);
        long measureMs = Long.parseLong(args[3]);
        HttpClient client = new HttpClient();
        client.setHttpCookieStore(new HttpCookieStore.Empty());
        client.setMaxConnectionsPerDestination(users);
        client.start();
        try {
            List<User> all = new ArrayList<>();
            CountDownLatch stopped = new CountDownLatch(users);
            for (int i = 0; i < users; i++) {
                all.add(new User(client, url, stopped));
            }
            all.forEach(User::next);
            Thread.sleep(warmupMs);
            long start = System.nanoTime();
            for (User u : all) {
                u.measureFrom = start;
            }
            Thread.sleep(measureMs);
            long end = System.nanoTime();
            for (User u : all) {
                u.measureUntil = end;
            }
            if (!stopped.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("requests did not finish");
            }
            long requests = 0;
            long errors = 0;
            List<Long> latencies = new ArrayList<>();
            for (User u : all) {
                requests += u.measured;
                errors += u.errors;
                latencies.addAll(u.latencies);
            }
            long[] sorted = latencies.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(sorted);
            double seconds = (end - start) / 1e9;
            System.out.println(new Result(
                            requests,
                            seconds,
                            requests / seconds,
                            percentile(sorted, 0.5),
                            percentile(sorted, 0.99),
                            errors)
                    .format());
        } finally {
            client.stop();
        }
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.max(0, Math.ceil(p * sorted.length) - 1)] / 1000.0;
    }

    private static final class User {
        private final HttpClient client;
        private final String url;
        private final CountDownLatch stopped;
        private final List<Long> latencies = new ArrayList<>();
        volatile long measureFrom = Long.MAX_VALUE;
        volatile long measureUntil = Long.MAX_VALUE;
        private String cookie;
        private int count;
        long measured;
        long errors;

        User(HttpClient client, String url, CountDownLatch stopped) {
            this.client = client;
            this.url = url;
            this.stopped = stopped;
        }

        void next() {
            long t0 = System.nanoTime();
            if (t0 >= measureUntil) {
                stopped.countDown();
                return;
            }
            Request request = client.newRequest(url).timeout(30, TimeUnit.SECONDS);
            if (cookie != null) {
                request.headers(h -> h.put(HttpHeader.COOKIE, cookie));
            }
            request.send(new BufferingResponseListener() {
                @Override
                public void onComplete(org.eclipse.jetty.client.Result result) {
                    long t1 = System.nanoTime();
                    boolean ok = false;
                    if (result.isSucceeded() && result.getResponse().getStatus() == 200) {
                        String setCookie = result.getResponse().getHeaders().get(HttpHeader.SET_COOKIE);
                        if (setCookie != null) {
                            cookie = setCookie.split(";", 2)[0];
                        }
                        int answered = Integer.parseInt(getContentAsString().trim());
                        ok = answered == count + 1;
                        count = answered;
                    }
                    if (t0 >= measureFrom && t1 <= measureUntil) {
                        measured++;
                        latencies.add(t1 - t0);
                    }
                    if (!ok) {
                        if (errors == 0) {
                            System.err.println("first error: "
                                    + (result.isSucceeded()
                                            ? result.getResponse().getStatus() + " " + getContentAsString()
                                            : String.valueOf(result.getFailure())));
                        }
                        errors++;
                    }
                    next();
                }
            });
        }
    }
}
