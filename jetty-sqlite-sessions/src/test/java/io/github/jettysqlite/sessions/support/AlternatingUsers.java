package io.github.jettysqlite.sessions.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.SoftAssertions;
import org.eclipse.jetty.client.HttpClient;

/**
 * Users of {@link NodeServer}'s counter clicking without pause, each request of a user going to the other node than
 * the one before (whatever it answered), through whatever the database goes through meanwhile. Each user checks
 * every answer against what it was told before and keeps the figures a database failure must leave at zero:
 *
 * <ul>
 *   <li>a <b>new session</b>: an answer under an id other than the user's (a logout, for the user);
 *   <li>a <b>wrong answer</b>: a count other than the previous answer's plus one;
 *   <li>a <b>lost change</b>: a count no higher than one already answered, so a change answered 200 was not kept;
 *   <li>a <b>refusal</b>: 503 (right only while the database is away, or refuses writes, longer than the store waits
 *       for it), and among
 *       them those that set a cookie naming another session, which would log the user out;
 *   <li><b>other failures</b>: any other status, or no answer.
 * </ul>
 *
 * <p>Waits are on conditions (every user answered or refused so often since a {@link Mark}), bounded so that none
 * can hang a build, and stop early when a node answers something no user should ever see.
 */
public final class AlternatingUsers implements AutoCloseable {
    private static final int ANSWERS_BEFORE = 3;
    private static final int ANSWERS_AFTER = 4;

    private final HttpClient client;
    private final String[] nodes;
    private final List<User> users = new ArrayList<>();
    private final ExecutorService threads;
    private final List<Future<?>> loops = new ArrayList<>();
    private volatile boolean stopped;

    private AlternatingUsers(HttpClient client, String[] nodes, int count) {
        this.client = client;
        this.nodes = nodes;
        this.threads = Executors.newFixedThreadPool(count, r -> {
            Thread thread = new Thread(r, "alternating-user");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Something done to the database while the users click; it may wait for them (on conditions). */
    @FunctionalInterface
    public interface Disruption {
        void run(AlternatingUsers users) throws Exception;
    }

    /**
     * Users click through the disruption: each is answered {@value #ANSWERS_BEFORE} times first, and {@value
     * #ANSWERS_AFTER} times after it ended, and then they stop.
     *
     * @return the figures of the whole run
     */
    public static Tally through(HttpClient client, int count, NodePair nodes, Disruption disruption) throws Exception {
        try (AlternatingUsers users = start(client, count, nodes)) {
            users.awaitEachAnswered(users.mark(), ANSWERS_BEFORE);
            disruption.run(users);
            users.awaitEachAnswered(users.mark(), ANSWERS_AFTER);
            return users.stop();
        }
    }

    /** Each user starts a session on node A (count 1) and then clicks on, alternating B, A, B... */
    public static AlternatingUsers start(HttpClient client, int count, NodePair nodes) throws Exception {
        AlternatingUsers started = new AlternatingUsers(client, new String[] {nodes.a(), nodes.b()}, count);
        for (int u = 0; u < count; u++) {
            String first = NodeHttp.get(client, nodes.a(), null);
            User user = new User(first.split(" ")[0]);
            if (!first.endsWith(" 1")) {
                throw new AssertionError("a new session answered " + first);
            }
            started.users.add(user);
        }
        for (User user : started.users) {
            started.loops.add(started.threads.submit(() -> started.click(user)));
        }
        return started;
    }

    private void click(User user) {
        for (int i = 1; !stopped; i++) {
            user.sending();
            NodeHttp.Reply reply;
            try {
                reply = NodeHttp.exchange(client, nodes[i % 2], user.id());
            } catch (Exception e) {
                user.failed("no answer from node " + (i % 2 == 0 ? "A" : "B") + ": " + e);
                pause();
                continue;
            }
            user.answered(i % 2 == 0 ? "A" : "B", reply);
        }
    }

    /** Where every user stands now, to wait for what happens after it. */
    public Mark mark() {
        return new Mark(users.stream().map(User::snapshot).toList());
    }

    /** Waits until every user had at least that many answers (200) since the mark. */
    public void awaitEachAnswered(Mark since, int answers) throws Exception {
        awaitEach(since, (now, then) -> now.answers() - then.answers() >= answers, answers + " answers each");
    }

    /**
     * Waits until every user had at least that many replies (whatever they said, or none) since the mark: all but the
     * first to requests sent after it.
     */
    public void awaitEachReplied(Mark since, int replies) throws Exception {
        awaitEach(since, (now, then) -> now.replies() - then.replies() >= replies, replies + " replies each");
    }

    /** Waits until every user has a request in flight (sent, not yet answered). */
    public void awaitEachWaiting() throws Exception {
        awaitEach(mark(), (now, then) -> now.waiting(), "a request in flight each");
    }

    private void awaitEach(Mark since, Progress progress, String what) throws Exception {
        AtomicInteger reached = new AtomicInteger();
        Waiting.until(
                what, () -> reached + " of " + users.size() + " users got there; so far: " + tally().describe(), () -> {
                    List<Snapshot> now = mark().users();
                    int count = 0;
                    for (int u = 0; u < users.size(); u++) {
                        if (progress.since(now.get(u), since.users().get(u))) {
                            count++;
                        }
                    }
                    reached.set(count);
                    if (count == users.size()) {
                        return true;
                    }
                    // A user's loop ends only when it fails (or is stopped): its failure ends the wait at once.
                    for (Future<?> loop : loops) {
                        if (loop.isDone()) {
                            loop.get();
                        }
                    }
                    return false;
                });
    }

    /** Stops clicking (each user's request in flight completes and is counted) and answers the figures. */
    public Tally stop() throws Exception {
        stopped = true;
        for (Future<?> loop : loops) {
            loop.get(Waiting.SECONDS, TimeUnit.SECONDS);
        }
        return tally();
    }

    /** The figures so far, added up over the users. */
    public Tally tally() {
        int newSessions = 0;
        long answers = 0;
        long wrong = 0;
        long lost = 0;
        long refused = 0;
        long refusedWithOtherCookie = 0;
        List<String> failures = new ArrayList<>();
        List<String> wrongExamples = new ArrayList<>();
        for (User user : users) {
            Snapshot s = user.snapshot();
            newSessions += s.newSessions() > 0 ? 1 : 0;
            answers += s.answers();
            wrong += s.wrong();
            lost += s.lost();
            refused += s.refused();
            refusedWithOtherCookie += s.refusedWithOtherCookie();
            failures.addAll(user.failures());
            wrongExamples.addAll(user.wrongExamples());
        }
        return new Tally(
                users.size(),
                answers,
                newSessions,
                wrong,
                lost,
                refused,
                refusedWithOtherCookie,
                List.copyOf(failures),
                List.copyOf(wrongExamples));
    }

    @Override
    public void close() {
        stopped = true;
        threads.shutdownNow();
    }

    /**
     * Paces a user whose request got no answer (a node restarting), so that it does not spin on a closed port; a pace,
     * not a wait for anything: what the test waits for it waits for on conditions, and a longer pause under load only
     * means fewer tries.
     */
    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The figures of a run: users, answers (200), users given a new session, wrong answers, lost changes, refusals
     * (503), refusals that set another session's cookie, and the first other failures.
     */
    public record Tally(
            int users,
            long answers,
            int usersWithNewSession,
            long wrongAnswers,
            long lostChanges,
            long refused,
            long refusedWithOtherCookie,
            List<String> otherFailures,
            List<String> wrongExamples) {
        /**
         * Soft-asserts what no database failure may cost a user: a new session, a wrong count, a change answered and
         * then lost, a refusal that sets another session's cookie, any other failure. Refusals themselves are the
         * caller's to judge.
         */
        public void assertNothingLost(SoftAssertions soft) {
            soft.assertThat(usersWithNewSession).as("users given a new session").isZero();
            soft.assertThat(wrongAnswers)
                    .as("answers other than the previous count plus one")
                    .isZero();
            soft.assertThat(lostChanges)
                    .as("changes answered 200 and then lost")
                    .isZero();
            soft.assertThat(refusedWithOtherCookie)
                    .as("refusals setting another session's cookie")
                    .isZero();
            soft.assertThat(otherFailures).as("other failures").isEmpty();
        }

        public String describe() {
            return users + " users, " + answers + " answers (200): " + usersWithNewSession
                    + " users given a new session, "
                    + wrongAnswers + " wrong answers, " + lostChanges + " changes answered 200 and then lost; "
                    + refused + " requests refused (503), " + refusedWithOtherCookie + " of them with another session's"
                    + " cookie; " + otherFailures.size() + " other failures"
                    + (otherFailures.isEmpty() ? "" : " " + firstOf(otherFailures))
                    + (wrongExamples.isEmpty() ? "" : "; wrong answers such as " + firstOf(wrongExamples));
        }

        private static List<String> firstOf(List<String> all) {
            return all.subList(0, Math.min(3, all.size()));
        }
    }

    /** Every user's figures at one moment. */
    public record Mark(List<Snapshot> users) {}

    private record Snapshot(
            long replies,
            long answers,
            int newSessions,
            long wrong,
            long lost,
            long refused,
            long refusedWithOtherCookie,
            boolean waiting) {}

    @FunctionalInterface
    private interface Progress {
        boolean since(Snapshot now, Snapshot then);
    }

    /** One user: its session, what it was told last, and its figures; written by its loop, read by the test. */
    private static final class User {
        private String id;
        private int last = 1;
        private int highest = 1;
        private long replies;
        private long answers;
        private int newSessions;
        private long wrong;
        private long lost;
        private long refused;
        private long refusedWithOtherCookie;
        private boolean waiting;
        private final List<String> failures = new ArrayList<>();
        private final List<String> wrongExamples = new ArrayList<>();

        User(String id) {
            this.id = id;
        }

        synchronized String id() {
            return id;
        }

        synchronized void sending() {
            waiting = true;
        }

        synchronized void answered(String node, NodeHttp.Reply reply) {
            waiting = false;
            replies++;
            if (reply.status() == 503) {
                refused++;
                if (reply.setsOtherSession(id)) {
                    refusedWithOtherCookie++;
                }
                return;
            }
            String[] parts = reply.body().split(" ");
            if (reply.status() != 200 || parts.length != 2) {
                failures.add(reply.status() + " " + reply.body());
                return;
            }
            int count = Integer.parseInt(parts[1]);
            answers++;
            if (!parts[0].equals(id)) {
                // Logged out: the user goes on in the new session, whose counts are then checked as any.
                newSessions++;
                id = parts[0];
                last = 0;
                highest = 0;
            }
            if (count != last + 1) {
                wrong++;
                wrongExamples.add("node " + node + " answered " + count + " after " + last);
            }
            if (count <= highest) {
                lost++;
            }
            last = count;
            highest = Math.max(highest, count);
        }

        synchronized void failed(String failure) {
            waiting = false;
            replies++;
            failures.add(failure);
        }

        synchronized Snapshot snapshot() {
            return new Snapshot(replies, answers, newSessions, wrong, lost, refused, refusedWithOtherCookie, waiting);
        }

        synchronized List<String> failures() {
            return List.copyOf(failures);
        }

        synchronized List<String> wrongExamples() {
            return List.copyOf(wrongExamples);
        }
    }
}
