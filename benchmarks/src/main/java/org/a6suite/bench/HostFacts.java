package org.a6suite.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Facts about the machine and this JVM that every benchmark driver prints beside its figures: the machine is shared,
 * and another process's load is the first thing to rule out when a number looks wrong.
 */
public final class HostFacts {

    private HostFacts() {}

    /** The 1-minute load average ({@code /proc/loadavg}), or {@code n/a}. */
    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** The CPU model name ({@code /proc/cpuinfo}), or {@code n/a}. */
    public static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .orElse("n/a");
        } catch (IOException e) {
            return "n/a";
        }
    }

    /**
     * CPU time of this whole JVM in nanoseconds (0 where the platform does not say). Other processes stretch
     * latency, but much less the CPU each request costs, so this is the steadier way to compare paths.
     */
    public static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    /** The median of the values that are not NaN; NaN when none is. */
    public static double median(double[] values) {
        double[] v =
                Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
