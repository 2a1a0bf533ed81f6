package io.github.jettysqlite.benchmarks;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises the method samples of a JFR recording ({@code jdk.ExecutionSample} for threads running Java,
 * {@code jdk.NativeMethodSample} for threads inside native code, here SQLite): the methods most often on top of the
 * stack (self time) and the methods most often anywhere on it (total time), counting only the benchmark's worker
 * threads ({@code bench-*}) unless told otherwise.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.github.jettysqlite.benchmarks.JfrSummary recording.jfr [top] [thread-prefix]}
 */
public final class JfrSummary {
    private JfrSummary() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        String threadPrefix = args.length > 2 ? args[2] : "bench-";
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        int samples = 0;
        int nativeSamples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            String type = event.getEventType().getName();
            if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            var thread = event.getThread("sampledThread");
            if (thread == null
                    || thread.getJavaName() == null
                    || !thread.getJavaName().startsWith(threadPrefix)) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            if (type.equals("jdk.NativeMethodSample")) {
                nativeSamples++;
            }
            List<RecordedFrame> frames = stack.getFrames();
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : frames) {
                String name = name(frame);
                if (seen.add(name)) {
                    total.merge(name, 1, Integer::sum);
                }
            }
        }
        System.out.printf(
                "%d samples of threads %s*, %.1f%% of them in native code (SQLite)%n",
                samples, threadPrefix, 100.0 * nativeSamples / Math.max(1, samples));
        print("self (top of stack)", self, samples, top);
        print("total (anywhere on the stack)", total, samples, top);
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static void print(String title, Map<String, Integer> counts, int samples, int top) {
        System.out.println();
        System.out.println("## " + title);
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        sorted.forEach((name, n) -> System.out.printf("%5.1f%%  %s%n", 100.0 * n / samples, name));
    }
}
