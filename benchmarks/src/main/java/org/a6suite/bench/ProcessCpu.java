package org.a6suite.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A server process's CPU time from {@code /proc}: user and system time over all its threads ({@code /proc/PID/stat},
 * which keeps the time of threads that have ended), and each live thread's user + system time summed by thread name
 * with its numbers folded ({@code a6-io-1-2} and {@code a6-io-1-1} are {@code a6-io-#-#}), so a difference of two
 * snapshots says which threads the CPU went to: the event loops, the JIT, the garbage collector.
 */
final class ProcessCpu {

    /**
     * Ticks of user and system time, minor page faults (first touches of memory: heap the JVM grows into is paid
     * for in system time), and ticks of each thread-name group (threads that ended are in the totals only).
     */
    record Snapshot(long userTicks, long systemTicks, long minorFaults, Map<String, Long> threadTicks) {

        /** This snapshot minus an earlier one of the same process, in seconds, as a JSON object's members. */
        String jsonSince(Snapshot earlier, double ticksPerSecond) {
            StringBuilder threads = new StringBuilder();
            threadTicks.forEach((name, ticks) -> {
                long spent = ticks - earlier.threadTicks.getOrDefault(name, 0L);
                if (spent > 0) {
                    threads.append(threads.isEmpty() ? "" : ",")
                            .append('"')
                            .append(name.replace("\\", "\\\\").replace("\"", "\\\""))
                            .append("\":")
                            .append(String.format(Locale.ROOT, "%.3f", spent / ticksPerSecond));
                }
            });
            return String.format(
                    Locale.ROOT,
                    "\"server_user_measured_s\":%.3f,\"server_system_measured_s\":%.3f,"
                            + "\"server_minor_faults_measured\":%d,\"server_threads_measured_s\":{%s}",
                    (userTicks - earlier.userTicks) / ticksPerSecond,
                    (systemTicks - earlier.systemTicks) / ticksPerSecond,
                    minorFaults - earlier.minorFaults,
                    threads);
        }

        long totalTicks() {
            return userTicks + systemTicks;
        }
    }

    private final Path proc;

    ProcessCpu(String pid) {
        this.proc = Path.of("/proc", pid);
    }

    Snapshot read() throws IOException {
        String[] process = statFields(proc.resolve("stat"));
        Map<String, Long> threads = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = fields(stat);
                    threads.merge(name.replaceAll("(?<=[-#\\s])[0-9]+", "#"), ticks(f), Long::sum);
                } catch (NoSuchFileException ended) {
                    // the thread ended between the listing and the read: its time is in the process totals
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return new Snapshot(
                Long.parseLong(process[11]), Long.parseLong(process[12]), Long.parseLong(process[7]), threads);
    }

    private static String[] statFields(Path stat) throws IOException {
        return fields(Files.readString(stat));
    }

    /**
     * The fields after the parenthesised name (which may hold spaces): index 7 is minflt, 11 utime, 12 stime (fields
     * 10, 14 and 15 of proc(5)).
     */
    private static String[] fields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    private static long ticks(String[] f) {
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
