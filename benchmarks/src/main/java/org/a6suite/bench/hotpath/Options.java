package org.a6suite.bench.hotpath;

import java.time.Duration;
import java.util.List;

/** The per-call drivers' command line: {@code --inflight}, {@code --seconds}, {@code --warmup}, {@code --rounds}, {@code --paths}. */
record Options(int inflight, Duration seconds, Duration warmup, int rounds, List<String> paths) {

    static Options parse(String[] args) {
        int inflight = 4;
        int seconds = 5;
        int warmup = 5;
        int rounds = 3;
        List<String> paths = List.of();
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + ": value missing");
            }
            switch (args[i]) {
                case "--inflight" -> inflight = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--paths" -> paths = List.of(args[i + 1].split(","));
                default ->
                    throw new IllegalArgumentException(
                            args[i] + " (expected: --inflight, --seconds, --warmup, --rounds, --paths)");
            }
        }
        return new Options(inflight, Duration.ofSeconds(seconds), Duration.ofSeconds(warmup), rounds, paths);
    }

    /** The given paths, or all of {@code every} when none were given. */
    Options orAll(List<String> every) {
        return paths.isEmpty() ? new Options(inflight, seconds, warmup, rounds, every) : this;
    }
}
