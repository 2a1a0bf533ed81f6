package io.github.jettysqlite.benchmarks;

import io.github.jettysqlite.sessions.SQLiteSessionDataStore;
import io.github.jettysqlite.sessions.SQLiteSessionSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What replication by Litestream costs a write: the store's updates (an attribute changed, sessions of {@value #SIZE}
 * bytes, {@value #BASE} of them) three ways, which take turns round by round in one run:
 *
 * <ul>
 *   <li>{@code alone}: {@code checkpoints=STORE}, no Litestream: the default;
 *   <li>{@code litestream}: {@code checkpoints=EXTERNAL}, with {@code litestream replicate} to a file replica beside
 *       it (its default intervals of a second): the set-up README advises;
 *   <li>{@code litestream, checkpoints=STORE}: Litestream with the setting forgotten.
 * </ul>
 *
 * <p>Under three loads: as fast as 1 thread and as 8 threads can (throughput), and {@value #PACED_RATE} updates a
 * second from one thread (latency at a steady, realistic rate, each measured from the moment it was due, so a stall
 * also counts against the updates it delayed). Each cell starts on a fresh file, waits for Litestream's first
 * snapshot, warms up, then measures. Reported, the median over rounds: updates per second, p50 and p99 latency, the
 * largest WAL seen (sampled every 20 ms), the CPU Litestream used, and the generations it started (more than one:
 * the log was restarted under it, and it took a new snapshot).
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.github.jettysqlite.benchmarks.LitestreamCostProbe
 * <litestream> [rounds=3] [measure-ms=5000]}
 */
public final class LitestreamCostProbe {
    private static final int SIZE = 1024;
    private static final int BASE = 1000;
    private static final long WARMUP_MS = 2000;
    private static final int PACED_RATE = 1000;

    /** One way of running the store: its checkpoints setting, and whether Litestream replicates the file. */
    private record Way(String name, String checkpoints, boolean litestream) {}

    private static final List<Way> WAYS = List.of(
            new Way("alone", "STORE", false),
            new Way("litestream", "EXTERNAL", true),
            new Way("litestream, checkpoints=STORE", "STORE", true));

    /** Updates from {@code threads} threads, as fast as they go ({@code rate} 0) or at {@code rate} a second. */
    private record Load(String name, int threads, int rate) {}

    private static final List<Load> LOADS = List.of(
            new Load("1 thread, flat out", 1, 0),
            new Load("8 threads, flat out", 8, 0),
            new Load("1 thread, " + PACED_RATE + "/s", 1, PACED_RATE));

    private record Cell(
            double opsPerSec, double p50Us, double p99Us, long largestWal, double litestreamCpu, int generations) {}

    private LitestreamCostProbe() {}

    public static void main(String[] args) throws Exception {
        Path litestream = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long measureMs = args.length > 2 ? Long.parseLong(args[2]) : 5000;
        Path work = Files.createTempDirectory("litestream-cost");
        Map<String, List<Cell>> cells = new LinkedHashMap<>();
        int run = 0;
        for (int round = 0; round < rounds; round++) {
            for (Load load : LOADS) {
                for (Way way : WAYS) {
                    Cell cell = measure(way, load, measureMs, litestream, work.resolve("run" + run++));
                    System.out.printf(
                            "round %d, %-20s %-30s %8.0f updates/s, p99 %7.0f µs, WAL up to %6.1f MiB%n",
                            round + 1, load.name(), way.name(), cell.opsPerSec(), cell.p99Us(), mib(cell.largestWal()));
                    cells.computeIfAbsent(load.name() + "|" + way.name(), k -> new ArrayList<>())
                            .add(cell);
                }
            }
        }
        Bench.deleteRecursively(work);
        System.out.println();
        System.out.println(
                "| load | way | updates/s | p50 µs | p99 µs | largest WAL MiB | Litestream CPU |" + " generations |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (Load load : LOADS) {
            for (Way way : WAYS) {
                List<Cell> runs = cells.get(load.name() + "|" + way.name());
                System.out.printf(
                        "| %s | %s | %.0f | %.0f | %.0f | %.0f | %s | %s |%n",
                        load.name(),
                        way.name(),
                        median(runs, Cell::opsPerSec),
                        median(runs, Cell::p50Us),
                        median(runs, Cell::p99Us),
                        median(runs, c -> mib(c.largestWal())),
                        way.litestream() ? String.format("%.0f%%", 100 * median(runs, Cell::litestreamCpu)) : "-",
                        way.litestream()
                                ? runs.stream()
                                        .map(c -> String.valueOf(c.generations()))
                                        .collect(Collectors.joining(", "))
                                : "-");
            }
        }
    }

    private static Cell measure(Way way, Load load, long measureMs, Path litestream, Path dir) throws Exception {
        Files.createDirectories(dir);
        Path file = dir.resolve("sessions.db");
        Path replica = dir.resolve("replica");
        SQLiteSessionSettings settings = new SQLiteSessionSettings(file);
        settings.setCheckpoints(way.checkpoints());
        Process replication = null;
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        try (StoreSubject subject = new StoreSubject(way.name(), new SQLiteSessionDataStore(settings), null, file)) {
            List<BenchSession> base = new ArrayList<>();
            for (int i = 0; i < BASE; i++) {
                BenchSession s = subject.create("s" + i, SIZE, Shape.TWO);
                subject.storeNew(s);
                base.add(s);
            }
            if (way.litestream()) {
                replication = replicate(litestream, file, replica, dir);
                awaitFirstSnapshot(replica, replication);
            }
            AtomicLong largestWal = new AtomicLong();
            Path wal = Path.of(file + "-wal");
            sampler.scheduleAtFixedRate(
                    () -> largestWal.accumulateAndGet(sizeOf(wal), Math::max), 0, 20, TimeUnit.MILLISECONDS);
            Duration cpuBefore = cpu(replication);
            long start = System.nanoTime();
            double[] stats = load.rate() == 0
                    ? flatOut(subject, base, load.threads(), measureMs)
                    : paced(subject, base, load.rate(), measureMs);
            double seconds = (System.nanoTime() - start) / 1e9;
            double litestreamCpu = cpu(replication).minus(cpuBefore).toNanos() / 1e9 / seconds;
            return new Cell(stats[0], stats[1], stats[2], largestWal.get(), litestreamCpu, generations(replica));
        } finally {
            sampler.shutdownNow();
            if (replication != null) {
                replication.destroy();
                replication.waitFor(30, TimeUnit.SECONDS);
            }
            // Under Litestream the log grows by hundreds of MiB a cell.
            Bench.deleteRecursively(dir);
        }
    }

    /** Updates per second, p50 and p99 µs, with every thread updating as fast as it can. */
    private static double[] flatOut(StoreSubject subject, List<BenchSession> base, int threads, long measureMs)
            throws Exception {
        int[] cursor = new int[threads];
        int perThread = BASE / threads;
        Measure.Stats stats = Measure.run(
                threads,
                WARMUP_MS,
                measureMs,
                (t, measuring) -> subject.update(base.get(t + threads * (cursor[t]++ % perThread))));
        if (stats.errors() > 0) {
            throw new IllegalStateException(stats.errors() + " updates failed: " + stats.firstError());
        }
        return new double[] {stats.opsPerSec(), stats.p50Us(), stats.p99Us()};
    }

    /**
     * Updates per second, p50 and p99 µs, one update every {@code 1/rate} seconds; each update's time counts from
     * when it was due, not from when it started, so a stall counts against every update it held back.
     */
    private static double[] paced(StoreSubject subject, List<BenchSession> base, int rate, long measureMs)
            throws Exception {
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long due = System.nanoTime();
        long measureFrom = due + TimeUnit.MILLISECONDS.toNanos(WARMUP_MS);
        long end = measureFrom + TimeUnit.MILLISECONDS.toNanos(measureMs);
        double[] latencies = new double[(int) (rate * (measureMs / 1000.0)) + 1];
        int measured = 0;
        for (int i = 0; due < end; i++, due += interval) {
            while (System.nanoTime() < due) {
                LockSupport.parkNanos(due - System.nanoTime());
            }
            subject.update(base.get(i % BASE));
            if (due >= measureFrom && measured < latencies.length) {
                latencies[measured++] = (System.nanoTime() - due) / 1000.0;
            }
        }
        double[] sorted = Arrays.copyOf(latencies, measured);
        Arrays.sort(sorted);
        return new double[] {
            measured / (measureMs / 1000.0), sorted[measured / 2], sorted[(int) Math.ceil(0.99 * measured) - 1]
        };
    }

    /** CPU time the process used so far; zero without one. */
    private static Duration cpu(Process process) {
        return process == null
                ? Duration.ZERO
                : process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    private static Process replicate(Path litestream, Path file, Path replica, Path dir) throws IOException {
        Path config = Files.writeString(
                dir.resolve("litestream.yml"),
                "dbs:\n  - path: " + file.toAbsolutePath() + "\n    replicas:\n      - type: file\n        path: "
                        + replica.toAbsolutePath() + "\n");
        return new ProcessBuilder(litestream.toString(), "replicate", "-config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("litestream.log").toFile())
                .start();
    }

    private static void awaitFirstSnapshot(Path replica, Process replication) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (snapshots(replica) == 0) {
            if (!replication.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("Litestream wrote no snapshot to " + replica);
            }
            Thread.sleep(20);
        }
    }

    private static long snapshots(Path replica) throws IOException {
        Path generations = replica.resolve("generations");
        if (!Files.isDirectory(generations)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(generations)) {
            return files.filter(f -> f.toString().endsWith(".snapshot.lz4")).count();
        }
    }

    private static int generations(Path replica) throws IOException {
        Path generations = replica.resolve("generations");
        if (!Files.isDirectory(generations)) {
            return 0;
        }
        try (Stream<Path> each = Files.list(generations)) {
            return (int) each.count();
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static double median(List<Cell> runs, ToDoubleFunction<Cell> figure) {
        return Measure.median(runs.stream().mapToDouble(figure).toArray());
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }
}
