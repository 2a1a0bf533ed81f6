package io.github.jettysqlite.benchmarks;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@link TwoNodeBench}'s: requests go to one node or to each in turn, some of them store a new value, and every
 * answer is the value the session held before the request, which must be the one the user last stored.
 */
final class RoutedConversation implements Conversation {
    private static final int UNKNOWN = -1;

    private final List<String> nodes;
    private final int user;
    private final boolean alternating;
    private final double writeFraction;
    private int sent;
    private int stored;
    private int storing = UNKNOWN;
    private String expected = "";

    RoutedConversation(List<String> nodes, int user, boolean alternating, double writeFraction) {
        this.nodes = nodes;
        this.user = user;
        this.alternating = alternating;
        this.writeFraction = writeFraction;
    }

    @Override
    public String next() {
        String node = nodes.get((user + (alternating ? sent : 0)) % nodes.size());
        sent++;
        boolean write = writeFraction >= 1 || ThreadLocalRandom.current().nextDouble() < writeFraction;
        storing = write ? Math.max(stored, 0) + 1 : UNKNOWN;
        return write ? node + "?set=" + storing : node;
    }

    @Override
    public boolean answered(int answer) {
        // After a lost request the stored value is unknown: this answer says what it is. A wrong answer changes
        // nothing: the value last stored is still the one every later answer must show.
        boolean right = stored == UNKNOWN || answer == stored;
        if (!right) {
            expected = " (user " + user + ", request " + sent + ", expected " + stored + ")";
        }
        stored = storing != UNKNOWN ? storing : stored == UNKNOWN ? answer : stored;
        return right;
    }

    @Override
    public void lost() {
        stored = UNKNOWN;
    }

    @Override
    public String expected() {
        return expected;
    }
}
