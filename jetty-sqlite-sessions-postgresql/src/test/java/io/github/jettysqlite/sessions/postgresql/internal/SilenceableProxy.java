package io.github.jettysqlite.sessions.postgresql.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP relay between the store and a real server that can fall silent: while silent it keeps every connection open
 * and forwards nothing either way, as a server whose machine died, or a network that drops packets, looks to the
 * client (no reset, no close, the bytes acknowledged by this relay's kernel and never answered). A connection opened
 * while silent is accepted and hears nothing either. Speaking again forwards what was held.
 */
final class SilenceableProxy implements AutoCloseable {
    private static final Pattern SERVER = Pattern.compile("^jdbc:postgresql://([^/:?]+)(?::(\\d+))?/");

    private final ServerSocket listening;
    private final InetSocketAddress target;
    private final String url;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private boolean silent;
    /** Whether to fall silent once the next answer from the server has been passed on; guarded by {@link #gate}. */
    private boolean silentAfterNextAnswer;

    private volatile boolean closed;

    /** A relay in front of the server a {@code jdbc:postgresql://host[:port]/...} URL names. */
    SilenceableProxy(String serverUrl) throws IOException {
        Matcher server = SERVER.matcher(serverUrl);
        if (!server.find()) {
            throw new IllegalArgumentException("not a jdbc:postgresql://host:port/ URL: " + serverUrl);
        }
        this.target = new InetSocketAddress(
                server.group(1), server.group(2) == null ? 5432 : Integer.parseInt(server.group(2)));
        this.listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.url = "jdbc:postgresql://127.0.0.1:" + listening.getLocalPort() + "/" + serverUrl.substring(server.end());
        Thread accepting = new Thread(this::accept, "proxy-accept");
        accepting.setDaemon(true);
        accepting.start();
    }

    /** The server's URL, database and parameters, reached through this relay. */
    String url() {
        return url;
    }

    void fallSilent() {
        synchronized (gate) {
            silent = true;
        }
    }

    /**
     * Passes on the server's next answer (a commit's, say), then falls silent: the client's next statement meets the
     * silence.
     */
    void fallSilentOnceAnswered() {
        synchronized (gate) {
            silentAfterNextAnswer = true;
        }
    }

    void speakAgain() {
        synchronized (gate) {
            silent = false;
            gate.notifyAll();
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listening.accept();
                sockets.add(client);
                Thread relay = new Thread(() -> relay(client), "proxy-connect");
                relay.setDaemon(true);
                relay.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket client) {
        try {
            waitWhileSilent();
            if (closed) {
                closeQuietly(client);
                return;
            }
            Socket server = new Socket(target.getAddress(), target.getPort());
            sockets.add(server);
            pump(client, server, "proxy-up", false);
            pump(server, client, "proxy-down", true);
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    private void pump(Socket from, Socket to, String name, boolean answers) {
        Thread pump = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            waitWhileSilent();
                            out.write(buffer, 0, n);
                            out.flush();
                            if (answers && endsAnAnswer(buffer, n)) {
                                fallSilentIfAsked();
                            }
                        }
                    } catch (IOException | InterruptedException e) {
                        // the other side went away, or the relay closed
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                name);
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Whether the chunk ends with the server's ReadyForQuery message ('Z', a length of 5, a status byte), which closes
     * every answer: an answer split over chunks falls silent only once all of it is through.
     */
    private static boolean endsAnAnswer(byte[] chunk, int length) {
        return length >= 6
                && chunk[length - 6] == 'Z'
                && chunk[length - 5] == 0
                && chunk[length - 4] == 0
                && chunk[length - 3] == 0
                && chunk[length - 2] == 5;
    }

    private void fallSilentIfAsked() {
        synchronized (gate) {
            if (silentAfterNextAnswer) {
                silentAfterNextAnswer = false;
                silent = true;
            }
        }
    }

    private void waitWhileSilent() throws InterruptedException {
        synchronized (gate) {
            while (silent && !closed) {
                gate.wait();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        speakAgain();
        closeQuietly(listening);
        sockets.forEach(SilenceableProxy::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
