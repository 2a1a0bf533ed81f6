package io.github.jettysqlite.examples.distribution;

import io.github.jettysqlite.sessions.support.Waiting;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code java -jar start.jar} from a jetty-home, run as its own process in a jetty-base, output captured. */
final class JettyProcess implements AutoCloseable {
    private final Process process;
    /** What the process printed so far; guarded by itself, which is notified at each line and at the end. */
    private final StringBuilder output = new StringBuilder();

    private boolean outputEnded;

    private JettyProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                        output.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            } finally {
                synchronized (output) {
                    outputEnded = true;
                    output.notifyAll();
                }
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    static JettyProcess start(Path home, Path base, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                home.resolve("start.jar").toString(),
                "jetty.home=" + home,
                "jetty.base=" + base));
        command.addAll(List.of(arguments));
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true);
        return new JettyProcess(builder.start());
    }

    /** Runs start.jar to completion (for --add-modules, --list-config): its exit code and all it printed. */
    static Finished run(Path home, Path base, String... arguments) throws Exception {
        try (JettyProcess run = start(home, base, arguments)) {
            if (!run.process.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError("start.jar did not finish:\n" + run.output());
            }
            return new Finished(run.process.exitValue(), run.awaitOutput(null));
        }
    }

    /** A start.jar run that has ended. */
    record Finished(int exitCode, String output) {}

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Waits until the port accepts connections; fails with the output if the process ends or time runs out. */
    void awaitListening(int port) throws Exception {
        Waiting.until("Jetty listening on " + port, () -> "it printed:\n" + output(), () -> {
            if (!process.isAlive()) {
                throw new AssertionError("Jetty exited with " + process.exitValue() + ":\n" + output());
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    /** Waits for the process to end by itself; returns its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            throw new AssertionError("Jetty is still running:\n" + output());
        }
        return process.exitValue();
    }

    /**
     * Waits until the output holds {@code text} (with {@code null}: until it ends, as it does when the process does)
     * and returns all of it; fails with the output if the process ends without printing it or time runs out.
     */
    String awaitOutput(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        synchronized (output) {
            while (text == null ? !outputEnded : output.indexOf(text) < 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (text != null && outputEnded) {
                    throw new AssertionError("Jetty ended without printing '" + text + "':\n" + output);
                }
                if (left <= 0) {
                    throw new AssertionError("Jetty did not print "
                            + (text == null ? "its last line" : "'" + text + "'") + " within 90 s:\n" + output);
                }
                output.wait(left);
            }
            return output.toString();
        }
    }

    String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** Stops Jetty as an operator would (SIGTERM runs its shutdown hook), forcibly if it hangs. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
