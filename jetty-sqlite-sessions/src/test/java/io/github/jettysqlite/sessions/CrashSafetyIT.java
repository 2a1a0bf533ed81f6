package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.ChildJvm;
import io.github.jettysqlite.sessions.support.CrashingWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer process is killed with SIGKILL at random moments; every session it acknowledged must be in the file,
 * intact, and the file must pass SQLite's integrity check. {@code -Dcrash.kills=N} runs a longer soak.
 */
class CrashSafetyIT {
    private static final int KILLS = Integer.getInteger("crash.kills", 10);

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedStoreSurvivesSigkill() throws Exception {
        SplittableRandom random = new SplittableRandom(Long.getLong("crash.seed", System.nanoTime()));
        int checked = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            Path file = dir.resolve("crash-" + kill + ".db");
            List<String> acknowledged = new ArrayList<>();
            try (ChildJvm writer = ChildJvm.start(CrashingWriter.class, file.toString())) {
                String first = writer.nextLine(60, TimeUnit.SECONDS);
                assertThat(first).as("writer output:\n%s", writer.output()).isEqualTo("s0");
                acknowledged.add(first);
                // A random moment to kill at, not a wait: each kill lands somewhere else in the writer's stream of
                // commits, and a pause stretched by load only moves the moment.
                Thread.sleep(random.nextInt(20, 600));
                writer.kill();
                acknowledged.addAll(writer.drain());
            }

            assertThat(new SQLiteFixture(file).query("PRAGMA integrity_check")).containsExactly(List.of("ok"));
            SQLiteFixture reopened = new SQLiteFixture(file);
            try (reopened) {
                SQLiteSessionDataStore store = reopened.store("check", "/app", SessionContext.NULL_VHOST);
                for (String id : acknowledged) {
                    if (!id.matches("s\\d+")) {
                        continue; // a line cut short by the kill was never a complete acknowledgement
                    }
                    SessionData data = store.load(id);
                    assertThat(data)
                            .as("acknowledged %s after kill %d", id, kill)
                            .isNotNull();
                    assertThat(data.getAttribute("payload")).isEqualTo(CrashingWriter.payloadOf(id));
                    checked++;
                }
            }
        }
        System.out.printf("crash safety: %d kills survived, %d acknowledged sessions checked%n", KILLS, checked);
        assertThat(checked).isGreaterThanOrEqualTo(KILLS);
    }
}
