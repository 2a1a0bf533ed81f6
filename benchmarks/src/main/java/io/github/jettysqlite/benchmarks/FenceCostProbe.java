package io.github.jettysqlite.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * What one round trip on a listening PostgreSQL connection costs when nothing else runs: the round trip a coherent
 * cache's request waits for on PostgreSQL (the store's prepared {@code SELECT pg_backend_pid()}), beside cheaper
 * statements that would also do as a fence but could not tell a pooler's other server process (an empty statement,
 * prepared or not, and both in the simple query protocol). For each: the wall time, the CPU time of the calling
 * thread (user and system), and the CPU time of the server process behind the connection, read from {@code /proc}
 * (so the server must run on this machine), each per round trip, over {@value #ROUND_TRIPS} after as many unmeasured.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.github.jettysqlite.benchmarks.FenceCostProbe
 * "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres"}
 */
public final class FenceCostProbe {
    private static final int ROUND_TRIPS = 20_000;
    /** The kernel's clock ticks a second, which {@code /proc/<pid>/stat} counts CPU time in on Linux. */
    private static final double TICKS_PER_SECOND = 100;

    private FenceCostProbe() {}

    /** One round trip. */
    @FunctionalInterface
    private interface RoundTrip {
        void run() throws SQLException;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: FenceCostProbe <jdbc:postgresql:// URL of a server on this machine>");
            System.exit(2);
        }
        for (int round = 1; round <= 2; round++) {
            for (boolean simple : new boolean[] {false, true}) {
                Properties properties = new Properties();
                if (simple) {
                    properties.setProperty("preferQueryMode", "simple");
                }
                try (Connection c = DriverManager.getConnection(args[0], properties)) {
                    try (Statement listen = c.createStatement()) {
                        listen.execute("LISTEN fence_cost_probe");
                    }
                    String protocol = simple ? "simple protocol" : "extended protocol";
                    try (PreparedStatement pid = c.prepareStatement("SELECT pg_backend_pid()")) {
                        String store = simple ? "" : " (the store's)";
                        measure(round, protocol + ", prepared SELECT pg_backend_pid()" + store, c, () -> {
                            try (ResultSet r = pid.executeQuery()) {
                                r.next();
                            }
                        });
                    }
                    try (Statement empty = c.createStatement()) {
                        measure(round, protocol + ", empty statement", c, () -> empty.execute(""));
                    }
                    try (PreparedStatement empty = c.prepareStatement("")) {
                        measure(round, protocol + ", prepared empty statement", c, empty::execute);
                    }
                }
            }
        }
    }

    private static void measure(int round, String name, Connection c, RoundTrip roundTrip) throws Exception {
        int serverPid;
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            serverPid = r.getInt(1);
        }
        Path command = Path.of("/proc", Integer.toString(serverPid), "comm");
        if (!Files.isReadable(command) || !Files.readString(command).startsWith("postgres")) {
            throw new IllegalStateException("the server process " + serverPid + " is not a postgres process on this"
                    + " machine: the probe reads the server's CPU time from /proc, so the server must run here");
        }
        for (int i = 0; i < ROUND_TRIPS; i++) {
            roundTrip.run();
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long wall = System.nanoTime();
        long cpu = threads.getCurrentThreadCpuTime();
        long serverTicks = serverTicks(serverPid);
        for (int i = 0; i < ROUND_TRIPS; i++) {
            roundTrip.run();
        }
        double wallUs = (System.nanoTime() - wall) / 1e3 / ROUND_TRIPS;
        double cpuUs = (threads.getCurrentThreadCpuTime() - cpu) / 1e3 / ROUND_TRIPS;
        double serverUs = (serverTicks(serverPid) - serverTicks) / TICKS_PER_SECOND * 1e6 / ROUND_TRIPS;
        System.out.printf(
                "round %d  %-62s wall %5.1f us  caller CPU %5.1f us  server CPU %5.1f us%n",
                round, name, wallUs, cpuUs, serverUs);
    }

    /** User and system CPU time of a process, in clock ticks (fields 14 and 15 of its stat line). */
    private static long serverTicks(int pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
