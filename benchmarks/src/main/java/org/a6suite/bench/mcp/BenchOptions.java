package org.a6suite.bench.mcp;

import java.util.ArrayList;
import java.util.List;

/**
 * Command line of {@link McpGatewayBench}.
 *
 * @param rounds        full passes over every (clients, target) point; the summary reports medians over rounds
 * @param seconds       measured seconds per point
 * @param warmupSeconds unmeasured seconds before each point (same clients, same connections)
 * @param clients       concurrent closed-loop clients per point
 * @param targets       which paths to measure
 * @param fixture       use {@code RestToolBackend} (the test fixture) instead of {@link OrdersBackend}
 */
record BenchOptions(
        int rounds, int seconds, int warmupSeconds, List<Integer> clients, List<Target.Kind> targets, boolean fixture) {

    static final String USAGE = "usage: McpGatewayBench [--rounds 3] [--seconds 8] [--warmup 2] "
            + "[--clients \"1 16 64\"] [--targets \"direct emulator-noop gateway upstream-direct "
            + "gateway-federated\"] [--backend bench|fixture]";

    BenchOptions {
        if (rounds < 1 || rounds > 20) {
            throw new IllegalArgumentException("rounds: " + rounds + " (expected: 1..20)");
        }
        if (seconds < 1 || seconds > 300) {
            throw new IllegalArgumentException("seconds: " + seconds + " (expected: 1..300)");
        }
        if (warmupSeconds < 0 || warmupSeconds > 60) {
            throw new IllegalArgumentException("warmup: " + warmupSeconds + " (expected: 0..60)");
        }
        for (int c : clients) {
            if (c < 1 || c > 512) {
                throw new IllegalArgumentException("clients: " + c + " (expected: 1..512)");
            }
        }
        if (clients.isEmpty() || targets.isEmpty()) {
            throw new IllegalArgumentException("clients and targets: empty (expected: at least one each)");
        }
        clients = List.copyOf(clients);
        targets = List.copyOf(targets);
    }

    static BenchOptions parse(String[] args) {
        int rounds = 3;
        int seconds = 8;
        int warmup = 2;
        List<Integer> clients = List.of(1, 16, 64);
        List<Target.Kind> targets = List.of(Target.Kind.values());
        boolean fixture = false;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + ": missing value (" + USAGE + ")");
            }
            String value = args[++i];
            switch (flag) {
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--clients" -> {
                    List<Integer> list = new ArrayList<>();
                    for (String s : value.trim().split("[ ,]+")) {
                        list.add(Integer.parseInt(s));
                    }
                    clients = list;
                }
                case "--targets" -> {
                    List<Target.Kind> list = new ArrayList<>();
                    for (String s : value.trim().split("[ ,]+")) {
                        list.add(Target.Kind.of(s));
                    }
                    targets = list;
                }
                case "--backend" ->
                    fixture = switch (value) {
                        case "bench" -> false;
                        case "fixture" -> true;
                        default ->
                            throw new IllegalArgumentException("backend: " + value + " (expected: bench or fixture)");
                    };
                default -> throw new IllegalArgumentException("unknown option " + flag + " (" + USAGE + ")");
            }
        }
        return new BenchOptions(rounds, seconds, warmup, clients, targets, fixture);
    }
}
