package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.ChildJvm;
import io.github.jettysqlite.sessions.support.Litestream;
import io.github.jettysqlite.sessions.support.NodeHttp;
import io.github.jettysqlite.sessions.support.NodeServer;
import io.github.jettysqlite.sessions.support.Waiting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Litestream beside a real Jetty (a {@link NodeServer} in a JVM of its own, {@code checkpoints=EXTERNAL}): sessions
 * written over HTTP are replicated as they commit; the Jetty process and Litestream are killed; {@code litestream
 * restore} brings the file back elsewhere, and a new Jetty on it serves every session as it was last written. Needs
 * the {@code litestream} program ({@link Litestream}); skipped without it.
 */
class LitestreamReplicationIT {
    private static final int SESSIONS = 20;

    @TempDir
    Path dir;

    @Test
    void aRestoredFileServesEverySessionCommittedBeforeTheLastSync() throws Exception {
        Path litestream = Litestream.find();
        Path database = dir.resolve("live/sessions.db");
        Path replica = dir.resolve("replica");
        Map<String, String> expected = new LinkedHashMap<>();
        HttpClient client = NodeHttp.newClient();
        try {
            try (ChildJvm jetty = ChildJvm.start(
                    List.of("-Xmx256m", "-D" + NodeServer.CHECKPOINTS + "=external"),
                    NodeServer.class,
                    database.toString(),
                    "live")) {
                String node = NodeHttp.baseUri(jetty);
                try (Litestream replication = Litestream.replicate(litestream, database, replica, dir)) {
                    for (int i = 0; i < SESSIONS; i++) {
                        String id = idOf(NodeHttp.get(client, node, null));
                        NodeHttp.get(client, node + "?set=user=user" + i, id);
                        for (int visit = 0; visit < i % 3; visit++) {
                            NodeHttp.get(client, node, id);
                        }
                        expected.put(id, "user=user" + i + " count=" + (1 + i % 3));
                    }
                    // The last commit: the replica is a prefix of the commits, so once it holds this new session it
                    // holds every write before it.
                    expected.put(idOf(NodeHttp.get(client, node, null)), "user=null count=1");
                    awaitReplicated(replication, replica, expected.size());

                    // The machine is lost: neither Jetty nor Litestream gets to flush, close or checkpoint anything.
                    jetty.kill();
                    replication.kill();
                }
            }

            Path restored = dir.resolve("restored/sessions.db");
            Files.createDirectories(restored.getParent());
            Litestream.restore(litestream, replica, restored);

            try (ChildJvm jetty = ChildJvm.start(NodeServer.class, restored.toString(), "restored")) {
                String node = NodeHttp.baseUri(jetty);
                for (Map.Entry<String, String> session : expected.entrySet()) {
                    assertThat(NodeHttp.get(client, node + "?get=user,count", session.getKey()))
                            .as("session %s on the restored file", session.getKey())
                            .isEqualTo(session.getValue());
                }
            }
        } finally {
            client.stop();
        }
    }

    /** Restores the replica again and again, each time into a new file, until it holds {@code rows} sessions. */
    private void awaitReplicated(Litestream replication, Path replica, int rows) throws Exception {
        long start = System.nanoTime();
        Path probe = dir.resolve("probe.db");
        AtomicLong held = new AtomicLong(-1);
        // Each look runs a restore, a program of its own: a look every 50 ms is soon enough.
        Waiting.until(
                "the replica holding all " + rows + " sessions",
                50,
                () -> "it held " + held.get() + "; litestream printed:\n" + replication.output(),
                () -> {
                    Files.deleteIfExists(probe);
                    held.set(sessionsIn(replication.binary(), replica, probe));
                    return held.get() == rows;
                });
        System.out.printf(
                "Litestream: the replica held all %d sessions %d ms after the last commit%n",
                rows, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** The sessions a restore of the replica holds now; -1 while there is nothing to restore yet. */
    private static long sessionsIn(Path binary, Path replica, Path probe) throws Exception {
        try {
            Litestream.restore(binary, replica, probe);
        } catch (IOException notYet) {
            return -1;
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + probe);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT count(*) FROM jetty_sessions")) {
            r.next();
            return r.getLong(1);
        } catch (SQLException noTableYet) {
            return -1;
        }
    }

    /** The node answers a visit with the session id and its count. */
    private static String idOf(String answer) {
        return answer.split(" ")[0];
    }
}
