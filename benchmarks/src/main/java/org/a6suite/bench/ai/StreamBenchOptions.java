package org.a6suite.bench.ai;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The stream benchmark's command line, {@code --name value} pairs with defaults (see {@link StreamBench}). */
record StreamBenchOptions(
        int rounds,
        Duration seconds,
        Duration warmup,
        List<Integer> streams,
        int firstTokenMs,
        int tokens,
        int gapMs,
        int cpuStreams,
        int cpuTokens,
        List<Integer> heapStreams,
        Duration wholeSeconds,
        List<Integer> wholeClients,
        Duration jitWarmup,
        Optional<Path> out) {

    /** Parses the arguments; at most {@code perOrigin * origins} streams can be held open for the heap points. */
    static StreamBenchOptions parse(String[] args, int perOrigin, int origins) {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("argument " + args[i] + " (expected: --name value pairs)");
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        StreamBenchOptions o = new StreamBenchOptions(
                Integer.parseInt(orDefault(a, "rounds", "3")),
                Duration.ofSeconds(Long.parseLong(orDefault(a, "seconds", "8"))),
                Duration.ofSeconds(Long.parseLong(orDefault(a, "warmup", "2"))),
                ints(orDefault(a, "streams", "1 16 64")),
                Integer.parseInt(orDefault(a, "first-token-ms", "200")),
                Integer.parseInt(orDefault(a, "tokens", "20")),
                Integer.parseInt(orDefault(a, "gap-ms", "20")),
                Integer.parseInt(orDefault(a, "cpu-streams", "8")),
                Integer.parseInt(orDefault(a, "cpu-tokens", "20000")),
                ints(orDefault(a, "heap-streams", "200 1000")),
                Duration.ofSeconds(Long.parseLong(orDefault(a, "whole-seconds", "5"))),
                ints(orDefault(a, "whole-clients", "1 16 64")),
                Duration.ofSeconds(Long.parseLong(orDefault(a, "jit-warmup", "10"))),
                Optional.ofNullable(a.remove("out")).map(Path::of));
        if (!a.isEmpty()) {
            throw new IllegalArgumentException("unknown options " + a.keySet());
        }
        for (int k : o.heapStreams()) {
            if (k > perOrigin * origins) {
                throw new IllegalArgumentException("heap-streams: " + k + " (expected: at most "
                        + perOrigin * origins + ", the outbound client's " + perOrigin
                        + " connections per origin × " + origins + " provider origins)");
            }
        }
        return o;
    }

    private static String orDefault(Map<String, String> a, String name, String value) {
        String v = a.remove(name);
        return v == null ? value : v;
    }

    private static List<Integer> ints(String list) {
        return Arrays.stream(list.trim().split("[ ,]+")).map(Integer::parseInt).toList();
    }
}
