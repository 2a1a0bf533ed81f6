package io.github.jettysqlite.sessions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.client.HttpClient;

/** Two {@link NodeServer} JVMs on one database, with the same JVM options, and where they listen. */
record NodePair(ChildJvm nodeA, ChildJvm nodeB, String a, String b) implements AutoCloseable {
    /**
     * Starts both nodes and waits until they listen.
     *
     * @param options system properties for {@link NodeServer} ({@code -Djss.cache=coherent}, ...)
     */
    static NodePair start(String database, String... options) throws IOException, InterruptedException {
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
        jvm.addAll(List.of(options));
        ChildJvm nodeA = ChildJvm.start(jvm, NodeServer.class, database, "nodeA");
        ChildJvm nodeB = ChildJvm.start(jvm, NodeServer.class, database, "nodeB");
        try {
            return new NodePair(nodeA, nodeB, NodeHttp.baseUri(nodeA), NodeHttp.baseUri(nodeB));
        } catch (AssertionError | InterruptedException e) {
            new NodePair(nodeA, nodeB, null, null).close();
            throw e;
        }
    }

    /** What both nodes counted of database failures, added up. */
    NodeStats stats(HttpClient client) throws Exception {
        return NodeHttp.stats(client, a).plus(NodeHttp.stats(client, b));
    }

    /** How much both nodes have printed so far, to read what they print after it. */
    OutputMark outputMark() {
        return new OutputMark(nodeA.output().length(), nodeB.output().length());
    }

    /** The lines either node printed since the mark that contain the text (log lines of a kind), node A's first. */
    List<String> linesSince(OutputMark mark, String containing) {
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
    int savesFailedSince(OutputMark mark) {
        return linesSince(mark, "Unable to commit").size()
                + linesSince(mark, "Unable to release").size();
    }

    /** Where each node's output stood. */
    record OutputMark(int a, int b) {}

    @Override
    public void close() throws InterruptedException {
        try {
            nodeA.close();
        } finally {
            nodeB.close();
        }
    }
}
