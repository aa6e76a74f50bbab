package org.a6suite.bench.fallback;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of {@link FallbackDriveBench}. Durations on the command line are whole seconds, except
 * {@code --unanswered-timeout}, which is the plugin's own setting (seconds, fractional allowed).
 */
record DriveOptions(
        int rate,
        Duration warmup,
        Duration steady,
        Duration fault,
        Duration recovery,
        Duration fastThreshold,
        double unansweredTimeoutSeconds,
        double waitInOpenSeconds,
        Duration upstreamReadTimeout,
        Duration clientTimeout,
        int keys,
        List<String> scenarios,
        Optional<Path> out) {

    static DriveOptions parse(String[] args) {
        int rate = 50;
        int warmup = 8;
        int steady = 6;
        int fault = 20;
        int recovery = 15;
        int fastMs = 50;
        double unanswered = 2;
        double waitInOpen = 5;
        int readTimeout = 3;
        int clientTimeout = 70;
        int keys = 20;
        List<String> scenarios = List.of("hang", "503");
        Optional<Path> out = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + ": missing value");
            }
            String v = args[++i];
            switch (name) {
                case "--rate" -> rate = range(name, Integer.parseInt(v), 1, 1000);
                case "--warmup" -> warmup = range(name, Integer.parseInt(v), 0, 600);
                case "--steady" -> steady = range(name, Integer.parseInt(v), 2, 600);
                case "--fault" -> fault = range(name, Integer.parseInt(v), 1, 600);
                case "--recovery" -> recovery = range(name, Integer.parseInt(v), 1, 600);
                case "--fast-ms" -> fastMs = range(name, Integer.parseInt(v), 1, 60_000);
                case "--unanswered-timeout" -> unanswered = Double.parseDouble(v);
                case "--wait-in-open" -> waitInOpen = Double.parseDouble(v);
                case "--read-timeout" -> readTimeout = range(name, Integer.parseInt(v), 1, 60);
                case "--client-timeout" -> clientTimeout = range(name, Integer.parseInt(v), 1, 600);
                case "--keys" -> keys = range(name, Integer.parseInt(v), 1, 10_000);
                case "--scenarios" -> scenarios = List.of(v.split(","));
                case "--out" -> out = Optional.of(Path.of(v));
                default ->
                    throw new IllegalArgumentException(name + " (expected: --rate, --warmup, --steady, --fault, "
                            + "--recovery, --fast-ms, --unanswered-timeout, --wait-in-open, --read-timeout, "
                            + "--client-timeout, --keys, --scenarios, --out)");
            }
        }
        for (String s : scenarios) {
            if (!s.equals("hang") && !s.equals("503")) {
                throw new IllegalArgumentException("--scenarios: " + s + " (expected: hang, 503)");
            }
        }
        return new DriveOptions(
                rate,
                Duration.ofSeconds(warmup),
                Duration.ofSeconds(steady),
                Duration.ofSeconds(fault),
                Duration.ofSeconds(recovery),
                Duration.ofMillis(fastMs),
                unanswered,
                waitInOpen,
                Duration.ofSeconds(readTimeout),
                Duration.ofSeconds(clientTimeout),
                keys,
                scenarios,
                out);
    }

    private static int range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + ".." + max + ")");
        }
        return value;
    }
}
