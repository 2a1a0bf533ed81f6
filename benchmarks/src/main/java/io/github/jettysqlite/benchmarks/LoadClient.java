package io.github.jettysqlite.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpHeader;

/**
 * The HTTP load generator, run in its own JVM: {@code users} users, each with its own session cookie (sent by hand),
 * each sending its next request as soon as the previous one answered, over keep-alive connections. Every answer is
 * checked, so a session that lost or missed a write shows as a wrong answer. Prints {@value #MEASURING} when the
 * measured period starts, {@value #MEASURED} when it ends, and one {@value #RESULT} line.
 *
 * <p>Usage, for {@link HttpBench}: {@code LoadClient url users warmupMs measureMs}; the servlet counts, and every
 * answer must be the user's previous one plus one.
 *
 * <p>Usage, for {@link TwoNodeBench}: {@code LoadClient urlA,urlB users warmupMs measureMs sticky|alternating
 * writeFraction}: user {@code i} sends every request to node {@code i % 2} (sticky) or, starting there, to each node
 * in turn; each request asks, with the given probability, to store a new value ({@code ?set=n}), and every answer
 * must be the value the user last stored, whichever node stored it.
 */
public final class LoadClient {
    static final String RESULT = "RESULT ";
    static final String MEASURING = "MEASURING";
    static final String MEASURED = "MEASURED";
    /** Only the run's first error is printed: the result counts them all. */
    private static final AtomicBoolean FIRST_ERROR = new AtomicBoolean();
    /** Requests sent after the measured period began that have been answered (or failed) so far. */
    private static final AtomicLong STARTED_AND_ANSWERED_WHILE_MEASURING = new AtomicLong();

    private LoadClient() {}

    /**
     * What one load run measured. Over the whole run, warm-up included: {@code answered} counts the requests
     * answered with status 200, {@code failed} those that got no answer or another status, {@code wrong} the
     * answers that were not what the session should have held; {@code wrongMeasured} counts the wrong answers
     * among the {@code requests} measured.
     */
    record Result(
            long requests,
            double seconds,
            double requestsPerSec,
            double p50Us,
            double p99Us,
            long answered,
            long failed,
            long wrong,
            long wrongMeasured) {
        String format() {
            return RESULT + requests + " " + seconds + " " + requestsPerSec + " " + p50Us + " " + p99Us + " " + answered
                    + " " + failed + " " + wrong + " " + wrongMeasured;
        }

        static Result parse(String line) {
            String[] f = line.substring(RESULT.length()).trim().split(" ");
            return new Result(
                    Long.parseLong(f[0]),
                    Double.parseDouble(f[1]),
                    Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]),
                    Long.parseLong(f[5]),
                    Long.parseLong(f[6]),
                    Long.parseLong(f[7]),
                    Long.parseLong(f[8]));
        }

        /** Failed requests and wrong answers. */
        long errors() {
            return failed + wrong;
        }
    }

    /**
     * Starts the client in a JVM of its own with this JVM's class path, passes it {@code arguments} (see the usage
     * above), hands every line it prints to {@code lines} as it comes, and returns its result.
     *
     * @throws IllegalStateException when the client fails or prints no result; its output is in the message
     */
    static Result run(Consumer<String> lines, String... arguments) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(ChildJvm.command(LoadClient.class, arguments))
                .redirectErrorStream(true)
                .start();
        Result result = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                output.append(line).append('\n');
                lines.accept(line);
                if (line.startsWith(RESULT)) {
                    result = Result.parse(line);
                }
            }
        }
        int exit = process.waitFor();
        if (result != null && result.errors() > 0) {
            System.out.print(output);
        }
        if (exit != 0 || result == null) {
            throw new IllegalStateException("load client failed (exit " + exit + "):\n" + output);
        }
        return result;
    }

    public static void main(String[] args) throws Exception {
        List<String> urls = List.of(args[0].split(","));
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
                Conversation conversation = args.length > 4
                        ? new RoutedConversation(urls, i, args[4].equals("alternating"), Double.parseDouble(args[5]))
                        : new CountingConversation(urls.get(0));
                all.add(new User(client, conversation, stopped));
            }
            all.forEach(User::next);
            Thread.sleep(warmupMs);
            long start = System.nanoTime();
            for (User u : all) {
                u.measureFrom = start;
            }
            System.out.println(MEASURING);
            Thread.sleep(measureMs);
            // A loaded machine (the build's smoke run beside other builds) can answer nothing within a short period:
            // the period then lasts until as many requests as there are users were measured, so a run never reports
            // nothing.
            long longest = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (STARTED_AND_ANSWERED_WHILE_MEASURING.get() < users && System.nanoTime() - longest < 0) {
                Thread.sleep(5); // polling a counter the users' callbacks move; no event to wait on
            }
            long end = System.nanoTime();
            for (User u : all) {
                u.measureUntil = end;
            }
            System.out.println(MEASURED);
            if (!stopped.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("requests did not finish");
            }
            long requests = 0;
            long answered = 0;
            long failed = 0;
            long wrong = 0;
            long wrongMeasured = 0;
            List<Long> latencies = new ArrayList<>();
            for (User u : all) {
                requests += u.measured;
                answered += u.answered;
                failed += u.failed;
                wrong += u.wrong;
                wrongMeasured += u.wrongMeasured;
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
                            answered,
                            failed,
                            wrong,
                            wrongMeasured)
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
        private final Conversation conversation;
        private final CountDownLatch stopped;
        private final List<Long> latencies = new ArrayList<>();
        volatile long measureFrom = Long.MAX_VALUE;
        volatile long measureUntil = Long.MAX_VALUE;
        private String cookie;
        long measured;
        long answered;
        long failed;
        long wrong;
        long wrongMeasured;

        User(HttpClient client, Conversation conversation, CountDownLatch stopped) {
            this.client = client;
            this.conversation = conversation;
            this.stopped = stopped;
        }

        void next() {
            long t0 = System.nanoTime();
            if (t0 >= measureUntil) {
                stopped.countDown();
                return;
            }
            Request request = client.newRequest(conversation.next()).timeout(30, TimeUnit.SECONDS);
            if (cookie != null) {
                request.headers(h -> h.put(HttpHeader.COOKIE, cookie));
            }
            request.send(new BufferingResponseListener() {
                @Override
                public void onComplete(org.eclipse.jetty.client.Result result) {
                    long t1 = System.nanoTime();
                    boolean replied =
                            result.isSucceeded() && result.getResponse().getStatus() == 200;
                    boolean right = false;
                    if (replied) {
                        answered++;
                        String setCookie = result.getResponse().getHeaders().get(HttpHeader.SET_COOKIE);
                        if (setCookie != null) {
                            cookie = setCookie.split(";", 2)[0];
                        }
                        right = conversation.answered(
                                Integer.parseInt(getContentAsString().trim()));
                    } else {
                        conversation.lost();
                    }
                    if (t0 >= measureFrom) {
                        STARTED_AND_ANSWERED_WHILE_MEASURING.incrementAndGet();
                    }
                    boolean measuring = t0 >= measureFrom && t1 <= measureUntil;
                    if (measuring) {
                        measured++;
                        latencies.add(t1 - t0);
                    }
                    if (!right) {
                        if (FIRST_ERROR.compareAndSet(false, true)) {
                            System.err.println("first error: "
                                    + (result.isSucceeded()
                                            ? result.getResponse().getStatus() + " " + getContentAsString()
                                                    + conversation.expected()
                                            : String.valueOf(result.getFailure())));
                        }
                        if (!replied) {
                            failed++;
                        } else {
                            wrong++;
                            wrongMeasured += measuring ? 1 : 0;
                        }
                    }
                    next();
                }
            });
        }
    }
}
