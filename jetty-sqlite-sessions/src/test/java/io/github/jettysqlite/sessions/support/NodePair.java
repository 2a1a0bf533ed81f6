package io.github.jettysqlite.sessions.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.client.HttpClient;

/**
 * Two Jetty nodes, each in a JVM of its own, on one database, started alike, and where they listen: the one two-node
 * setup of every engine's multi-node suites, so that a change to how nodes start (a heap size, how readiness is
 * read) is made once.
 */
public record NodePair(ChildJvm nodeA, ChildJvm nodeB, String a, String b) implements AutoCloseable {
    /**
     * Starts two {@link NodeServer}s and waits until they listen.
     *
     * @param options system properties for {@link NodeServer} ({@code -Djss.cache=coherent}, ...)
     */
    public static NodePair start(String database, String... options) throws IOException, InterruptedException {
        return start(NodeServer.class, List.of(options), database);
    }

    /**
     * Starts two nodes of the given main class, {@code nodeA} and {@code nodeB}, and waits until they listen; if
     * either never does, both are stopped before the failure is thrown, so that no JVM outlives the test.
     *
     * @param options JVM options for both ({@code -Dname=value})
     * @param settings what follows the node's name on its command line ({@link NodeServer}: idle and scavenging
     *     seconds, the grace period)
     */
    public static NodePair start(Class<?> main, List<String> options, String database, String... settings)
            throws IOException, InterruptedException {
        ChildJvm nodeA = node(main, options, database, "nodeA", settings);
        ChildJvm nodeB = node(main, options, database, "nodeB", settings);
        try {
            return new NodePair(nodeA, nodeB, NodeHttp.baseUri(nodeA), NodeHttp.baseUri(nodeB));
        } catch (AssertionError | InterruptedException e) {
            new NodePair(nodeA, nodeB, null, null).close();
            throw e;
        }
    }

    /**
     * One node as {@link #start(Class, List, String, String...)} starts each, for a test that starts or restarts
     * nodes one at a time; {@link NodeHttp#baseUri} waits until it listens.
     */
    public static ChildJvm node(Class<?> main, List<String> options, String database, String name, String... settings)
            throws IOException {
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
        jvm.addAll(options);
        List<String> args = new ArrayList<>(List.of(database, name));
        args.addAll(List.of(settings));
        return ChildJvm.start(jvm, main, args.toArray(String[]::new));
    }

    /** How many writes both nodes' stores merged with a concurrent one ({@code ?merged}). */
    public long mergedWrites(HttpClient client) throws Exception {
        return Long.parseLong(NodeHttp.get(client, a + "?merged", null))
                + Long.parseLong(NodeHttp.get(client, b + "?merged", null));
    }

    /** What both nodes counted of database failures, added up. */
    public NodeStats stats(HttpClient client) throws Exception {
        return NodeHttp.stats(client, a).plus(NodeHttp.stats(client, b));
    }

    /** How much both nodes have printed so far, to read what they print after it. */
    public OutputMark outputMark() {
        return new OutputMark(nodeA.output().length(), nodeB.output().length());
    }

    /** The lines either node printed since the mark that contain the text (log lines of a kind), node A's first. */
    public List<String> linesSince(OutputMark mark, String containing) {
        List<String> lines = new ArrayList<>();
        for (String line : (nodeA.output().substring(mark.a()) + nodeB.output().substring(mark.b())).split("\n")) {
            if (line.contains(containing)) {
                lines.add(line);
            }
        }
        return lines;
    }

    /**
     * Saves that failed since the mark: Jetty's session manager catches what the cache's {@code commit} and {@code
     * release} throw and logs it ("Unable to commit Session", "Unable to release Session"); the store answers a
     * request whose commit failed with 503.
     */
    public int savesFailedSince(OutputMark mark) {
        return linesSince(mark, "Unable to commit").size()
                + linesSince(mark, "Unable to release").size();
    }

    /** Where each node's output stood. */
    public record OutputMark(int a, int b) {}

    @Override
    public void close() throws InterruptedException {
        try {
            nodeA.close();
        } finally {
            nodeB.close();
        }
    }
}
