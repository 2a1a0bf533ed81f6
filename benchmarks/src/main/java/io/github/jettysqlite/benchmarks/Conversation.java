package io.github.jettysqlite.benchmarks;

/**
 * What one user of {@link LoadClient} asks and what it expects back: the client sends and times the requests, the
 * conversation decides what they are and judges each answer. Called by one request at a time.
 */
interface Conversation {
    /** The URL of the user's next request. */
    String next();

    /** Whether the answer to the last request {@link #next} made is right. */
    boolean answered(int answer);

    /** The last request failed, so whether it changed the session is unknown. */
    default void lost() {}

    /** What the last wrong answer should have been, for the first error's message. */
    default String expected() {
        return "";
    }
}
