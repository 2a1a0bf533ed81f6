package io.github.jettysqlite.sessions.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A test main run in a JVM of its own, with this module's test class path; its stdout arrives line by line. */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer output = new StringBuffer();

    private ChildJvm(Process process) {
        this.process = process;
        // Only standard output carries what the child reports; standard error (the JVM's own warnings, such as
        // Java 22+ on sqlite-jdbc loading its native library) is kept for diagnostics alone.
        follow(process.getInputStream(), true);
        follow(process.getErrorStream(), false);
    }

    private void follow(java.io.InputStream stream, boolean report) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (report) {
                        lines.add(line);
                    }
                    output.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // the child died, which is the point of some tests
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    public static ChildJvm start(Class<?> main, String... args) throws IOException {
        return start("256m", main, args);
    }

    /** As {@link #start(Class, String...)}, with the given maximum heap ({@code -Xmx}). */
    public static ChildJvm start(String maxHeap, Class<?> main, String... args) throws IOException {
        return start(List.of("-Xmx" + maxHeap), main, args);
    }

    /** As {@link #start(Class, String...)}, with the given JVM options ({@code -Xmx256m}, {@code -Dname=value}). */
    public static ChildJvm start(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        // Surefire hands the JVM a manifest-only jar; the real test class path is in this property.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, main.getName()));
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).start());
    }

    /** The next line the child printed, or null if none came within the timeout. */
    public String nextLine(long timeout, TimeUnit unit) throws InterruptedException {
        return lines.poll(timeout, unit);
    }

    /** Lines printed so far and not yet taken. */
    public List<String> drain() {
        List<String> drained = new ArrayList<>();
        lines.drainTo(drained);
        return drained;
    }

    public String output() {
        return output.toString();
    }

    /** SIGKILL: the child gets no chance to flush, close or roll back anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** The child's process id, for tools that act on a running process ({@code prlimit}). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
