package org.a6suite.bench.ai;

import static org.a6suite.bench.HostFacts.median;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/** The stream benchmark's Markdown tables (as pasted into docs/benchmarks.md), medians over rounds. */
final class StreamBenchReport {

    /** TTFT of one point (one path, one concurrency, one round). */
    record TtftPoint(int round, String path, int streams, Histogram ttft, long calls, long errors, String load) {
        double ms(double pct) {
            return ttft.getTotalCount() == 0 ? Double.NaN : ttft.getValueAtPercentile(pct) / 1e6;
        }
    }

    private StreamBenchReport() {}

    private static double ttftMedian(List<TtftPoint> points, String path, int n, ToDoubleFunction<TtftPoint> f) {
        return median(points.stream()
                .filter(p -> p.path().equals(path) && p.streams() == n)
                .mapToDouble(f)
                .toArray());
    }

    static String ttftTable(List<TtftPoint> points, StreamBenchOptions o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "TTFT (send → first content token read), medians of %d rounds, %d s "
                        + "measured after %d s warm-up per point; provider: first token after %d ms, then %d tokens "
                        + "%d ms apart; ms.%n%n",
                o.rounds(),
                o.seconds().toSeconds(),
                o.warmup().toSeconds(),
                o.firstTokenMs(),
                o.tokens(),
                o.gapMs()));
        sb.append("| streams | direct p50 | direct p90 | direct p99 | lane p50 | lane p90 | lane p99 | "
                + "**added p50** (lane−direct) | **added p99** (lane−direct) | lane÷direct p50 | streams measured "
                + "direct / lane | errors | load 1m |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|\n");
        for (int n : o.streams()) {
            double[] d = {
                ttftMedian(points, "direct", n, p -> p.ms(50)),
                ttftMedian(points, "direct", n, p -> p.ms(90)),
                ttftMedian(points, "direct", n, p -> p.ms(99))
            };
            double[] l = {
                ttftMedian(points, "lane", n, p -> p.ms(50)),
                ttftMedian(points, "lane", n, p -> p.ms(90)),
                ttftMedian(points, "lane", n, p -> p.ms(99))
            };
            long callsD = points.stream()
                    .filter(p -> p.path().equals("direct") && p.streams() == n)
                    .mapToLong(TtftPoint::calls)
                    .sum();
            long callsL = points.stream()
                    .filter(p -> p.path().equals("lane") && p.streams() == n)
                    .mapToLong(TtftPoint::calls)
                    .sum();
            long errors = points.stream()
                    .filter(p -> p.streams() == n)
                    .mapToLong(TtftPoint::errors)
                    .sum();
            List<String> loads = points.stream()
                    .filter(p -> p.streams() == n)
                    .map(TtftPoint::load)
                    .toList();
            sb.append(String.format(
                    Locale.ROOT,
                    "| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | **%.1f** | "
                            + "**%.1f** | %.3f | %d / %d | %d | %s |%n",
                    n,
                    d[0],
                    d[1],
                    d[2],
                    l[0],
                    l[1],
                    l[2],
                    l[0] - d[0],
                    l[2] - d[2],
                    l[0] / d[0],
                    callsD,
                    callsL,
                    errors,
                    LoadRange.of(loads)));
        }
        return sb.toString();
    }

    static String cpuTable(Map<String, List<double[]>> byPath, StreamBenchOptions o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%nCPU per streamed chunk: %d concurrent streams of %d chunks (provider "
                        + "gap 0), medians of %d rounds; µs.%n%n",
                o.cpuStreams(),
                o.cpuTokens(),
                o.rounds()));
        sb.append("| path | chunks/round | chunks/s | process CPU µs/chunk | runner threads (a6-*) CPU µs/chunk | "
                + "errors |\n|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<double[]>> e : byPath.entrySet()) {
            List<double[]> rs = e.getValue();
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %.0f | %.0f | %.2f | %.2f | %.0f |%n",
                    e.getKey(),
                    median(rs.stream().mapToDouble(r -> r[0]).toArray()),
                    median(rs.stream().mapToDouble(r -> r[0] / r[1]).toArray()),
                    median(rs.stream().mapToDouble(r -> r[2]).toArray()),
                    median(rs.stream().mapToDouble(r -> r[3]).toArray()),
                    rs.stream().mapToDouble(r -> r[4]).sum()));
        }
        return sb.toString();
    }

    static String heapTable(List<String> rows) {
        StringBuilder sb =
                new StringBuilder("\nHeap per open stream (live heap from a class histogram with the streams open − "
                        + "before; one round).\n\n| path | streams asked | streams open | baseline MiB | open MiB | "
                        + "KiB per stream | load 1m |\n|---|---:|---:|---:|---:|---:|---|\n");
        for (String r : rows) {
            String[] f = r.split("\\|");
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %.1f | %.1f | %s | %s |%n",
                    f[0],
                    f[1],
                    f[5],
                    Double.parseDouble(f[2]) / 1048576,
                    Double.parseDouble(f[3]) / 1048576,
                    f[4],
                    f[6]));
        }
        return sb.toString();
    }

    static String wholeTable(List<Object[]> points, StreamBenchOptions o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%nNon-streaming chat call, closed loop, medians of %d rounds, %d s "
                        + "measured after %d s warm-up; ms.%n%n",
                o.rounds(),
                o.wholeSeconds().toSeconds(),
                o.warmup().toSeconds()));
        sb.append("| clients | direct p50 | direct p99 | invoke p50 | invoke p99 | lane p50 | lane p99 | "
                + "invoke−direct p50 / p99 | lane−direct p50 / p99 | lane÷invoke p50 / p99 | rps direct / invoke / "
                + "lane | CPU µs/req direct / invoke / lane | errors | load 1m |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---|---:|---|\n");
        for (int c : o.wholeClients()) {
            Map<String, double[]> m = new LinkedHashMap<>();
            long errors = 0;
            List<String> loads = new ArrayList<>();
            for (String path : List.of("direct", "invoke", "lane")) {
                List<ClosedLoop.Result> rs = points.stream()
                        .filter(p -> p[0].equals(path) && (int) p[1] == c)
                        .map(p -> (ClosedLoop.Result) p[2])
                        .toList();
                m.put(path, new double[] {
                    median(rs.stream().mapToDouble(r -> r.micros(50) / 1000).toArray()),
                    median(rs.stream().mapToDouble(r -> r.micros(99) / 1000).toArray()),
                    median(rs.stream()
                            .mapToDouble(ClosedLoop.Result::throughput)
                            .toArray()),
                    median(rs.stream()
                            .mapToDouble(ClosedLoop.Result::cpuMicrosPerRequest)
                            .toArray())
                });
                errors += rs.stream().mapToLong(ClosedLoop.Result::errors).sum();
                points.stream()
                        .filter(p -> p[0].equals(path) && (int) p[1] == c)
                        .forEach(p -> loads.add((String) p[3]));
            }
            double[] d = m.get("direct");
            double[] i = m.get("invoke");
            double[] l = m.get("lane");
            sb.append(String.format(
                    Locale.ROOT,
                    "| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f / %.3f | "
                            + "%.3f / %.3f | %.2f / %.2f | %.0f / %.0f / %.0f | %.0f / %.0f / %.0f | %d | %s |%n",
                    c,
                    d[0],
                    d[1],
                    i[0],
                    i[1],
                    l[0],
                    l[1],
                    i[0] - d[0],
                    i[1] - d[1],
                    l[0] - d[0],
                    l[1] - d[1],
                    l[0] / i[0],
                    l[1] / i[1],
                    d[2],
                    i[2],
                    l[2],
                    d[3],
                    i[3],
                    l[3],
                    errors,
                    LoadRange.of(loads)));
        }
        return sb.toString();
    }
}
