package io.github.jettysqlite.benchmarks;

/** {@link HttpBench}'s: every request increments the session's count, and the answer is the new count. */
final class CountingConversation implements Conversation {
    private final String url;
    private int count;

    CountingConversation(String url) {
        this.url = url;
    }

    @Override
    public String next() {
        return url;
    }

    @Override
    public boolean answered(int answer) {
        boolean right = answer == count + 1;
        count = answer;
        return right;
    }
}
