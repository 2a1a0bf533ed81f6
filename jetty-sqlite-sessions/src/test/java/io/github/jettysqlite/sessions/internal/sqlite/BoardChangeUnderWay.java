package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.SessionScope;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A process that begins a change of one session and a change of all sessions on a database's change board, says so,
 * and waits to be killed with both under way: what a server killed in the middle of a write or a sweep leaves behind.
 */
public final class BoardChangeUnderWay {
    private BoardChangeUnderWay() {}

    public static void main(String[] args) throws Exception {
        ChangeBoard board = ChangeBoard.open(Path.of(args[0]));
        board.begin("t", new SessionScope("/app", "0.0.0.0"), args[1]);
        board.beginAll();
        System.out.println("begun");
        System.out.flush();
        new CountDownLatch(1).await(); // nothing counts it down: the parent kills this process
    }
}
