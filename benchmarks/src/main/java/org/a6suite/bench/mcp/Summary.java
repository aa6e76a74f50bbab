package org.a6suite.bench.mcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** Medians over rounds per (target, clients), and the added latency of each gateway layer, as markdown. */
final class Summary {

    private Summary() {}

    static double median(
            List<LoadPoint.Result> results, Target.Kind kind, int clients, ToDoubleFunction<LoadPoint.Result> metric) {
        double[] values = results.stream()
                .filter(r -> r.kind() == kind && r.clients() == clients)
                .mapToDouble(metric)
                .sorted()
                .toArray();
        if (values.length == 0) {
            return Double.NaN;
        }
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    static String markdown(List<LoadPoint.Result> results, List<Integer> clients) {
        StringBuilder out = new StringBuilder();
        out.append("| clients | target | p50 µs | p99 µs | req/s | errors |\n|---:|---|---:|---:|---:|---:|\n");
        for (int c : clients) {
            for (Target.Kind k : Target.Kind.values()) {
                double p50 = median(results, k, c, LoadPoint.Result::p50Us);
                if (Double.isNaN(p50)) {
                    continue;
                }
                long errors = results.stream()
                        .filter(r -> r.kind() == k && r.clients() == c)
                        .mapToLong(LoadPoint.Result::errors)
                        .sum();
                out.append(String.format(
                        Locale.ROOT,
                        "| %d | %s | %.0f | %.0f | %.0f | %d |%n",
                        c,
                        k.label,
                        p50,
                        median(results, k, c, LoadPoint.Result::p99Us),
                        median(results, k, c, LoadPoint.Result::rps),
                        errors));
            }
        }
        out.append("\n| clients | gateway − direct p50 / p99 µs | gateway ÷ direct p50 | emulator-noop − direct "
                + "p50 / p99 µs | gateway − emulator-noop p50 / p99 µs (runner + plugin) |\n|---:|---|---:|---|---|\n");
        for (int c : clients) {
            double[] d = pair(results, Target.Kind.DIRECT, c);
            double[] n = pair(results, Target.Kind.EMULATOR_NOOP, c);
            double[] g = pair(results, Target.Kind.GATEWAY, c);
            out.append(String.format(
                    Locale.ROOT,
                    "| %d | %s | %s | %s | %s |%n",
                    c,
                    diff(g, d),
                    Double.isNaN(g[0] + d[0]) ? "n/a" : String.format(Locale.ROOT, "%.1f×", g[0] / d[0]),
                    diff(n, d),
                    diff(g, n)));
        }
        if (clients.stream().anyMatch(c -> !Double.isNaN(pair(results, Target.Kind.GATEWAY_FEDERATED, c)[0]))) {
            out.append("\n| clients | gateway-federated − upstream-direct p50 / p99 µs | gateway-federated ÷ "
                    + "upstream-direct p50 |\n|---:|---|---:|\n");
            for (int c : clients) {
                double[] u = pair(results, Target.Kind.UPSTREAM_DIRECT, c);
                double[] f = pair(results, Target.Kind.GATEWAY_FEDERATED, c);
                out.append(String.format(
                        Locale.ROOT,
                        "| %d | %s | %s |%n",
                        c,
                        diff(f, u),
                        Double.isNaN(f[0] + u[0]) ? "n/a" : String.format(Locale.ROOT, "%.1f×", f[0] / u[0])));
            }
        }
        return out.toString();
    }

    private static double[] pair(List<LoadPoint.Result> results, Target.Kind kind, int clients) {
        return new double[] {
            median(results, kind, clients, LoadPoint.Result::p50Us),
            median(results, kind, clients, LoadPoint.Result::p99Us)
        };
    }

    private static String diff(double[] a, double[] b) {
        if (Double.isNaN(a[0] + b[0])) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%+.0f / %+.0f", a[0] - b[0], a[1] - b[1]);
    }

    /** The round's target order, rotated by round so no target always runs first (right after a JIT-cold start). */
    static List<Target.Kind> order(List<Target.Kind> targets, int round) {
        List<Target.Kind> list = new ArrayList<>(targets);
        java.util.Collections.rotate(list, -(round - 1) % Math.max(1, list.size()));
        return list;
    }
}
