package org.a6suite.bench.loop;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.a6suite.testing.backend.EchoBackend;
import org.a6suite.testing.backend.Fault;
import org.a6suite.testing.etcd.EtcdServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Closed-loop benchmark of the backend optimizer. Per scenario, from scratch: a real etcd (the
 * {@code a6-etcd-fixture}), four {@link EchoBackend} nodes on 127.0.0.11..14 (APISIX's prometheus {@code node} label is
 * the IP only), upstream 1 and route 1 as the local stack seeds them, the runner jar with the health reporter (reading
 * the emulator's prometheus metrics and Control API), the APISIX emulator following etcd, and the optimizer jar in the
 * scenario's mode. Open-loop traffic at a fixed rate; after the warm-up node 4 degrades by +300 ms and 5% errors
 * ({@code Fault.degraded}); an operator edits {@code desc}/{@code labels} of the upstream through etcd transactions
 * during the whole measured window, and an audit checks afterwards that no edit was lost.
 *
 * <p>Usage: {@code LoopBench --runner-jar J --optimizer-jar J --devstack-jar J --work DIR [--scenarios
 * static,auto,auto-tuned] [--rate 50] [--warmup 20] [--measure 90] [--health-interval 5] [--optimizer-interval 1s]
 * [--operator-every-ms 1000] [--tuned "weight_floor=0.01,max_weight_step=0.5,weight_min_interval_seconds=5"]
 * [--exporter-refresh 15] [--fault-delay-ms 300] [--fault-error-rate 0.05]}. {@code --exporter-refresh} is APISIX's {@code plugin_attr.prometheus.refresh_interval} in
 * seconds, played by the emulator and given to the health reporter (0: fresh text on every scrape, which no APISIX
 * since 3.14 serves).
 *
 * <p>Why one file of ~550 lines: a benchmark driver that starts and stops seven processes and reads their results in
 * one sequence, kept in one place so the run can be read top to bottom next to its section in
 * {@code docs/benchmarks.md}.
 */
public final class LoopBench {

    private static final String UPSTREAM_KEY = "/apisix/upstreams/1";
    private static final String HEALTH_NODE_ID = "bench-apisix-1";
    private static final int NODES = 4;
    private static final int DEGRADED = 3; // node 4
    /** Node 4's fault by default: +300 ms and 5 % errors ({@code --fault-delay-ms}, {@code --fault-error-rate}). */
    private static final long EXTRA_DELAY_MS = 300;

    private static final double ERROR_RATE = 0.05;

    private final Map<String, String> options;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private LoopBench(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + ": expected --name value pairs");
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        for (String required : List.of("runner-jar", "optimizer-jar", "devstack-jar", "work")) {
            if (!options.containsKey(required)) {
                throw new IllegalArgumentException("--" + required + ": missing");
            }
        }
        LoopBench bench = new LoopBench(options);
        List<String> results = new ArrayList<>();
        for (String scenario : options.getOrDefault("scenarios", "static,auto").split(",")) {
            results.add(bench.run(scenario.strip()));
        }
        System.out.println();
        System.out.println("| scenario | requests | error rate | p50 ms | p90 ms | p99 ms | p99.9 ms | steady p99 ms | "
                + "steady error rate | node 4 share | degradation -> first weight change s | decisions "
                + "| operator edits | lost edits |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        results.forEach(System.out::println);
    }

    private int intOption(String name, int def) {
        return Integer.parseInt(options.getOrDefault(name, Integer.toString(def)));
    }

    private String run(String scenario) throws Exception {
        List<String> optimizerProps = new ArrayList<>();
        switch (scenario) {
            case "static" -> optimizerProps.add("--a6.optimizer.default-policy.mode=off");
            case "auto" -> optimizerProps.add("--a6.optimizer.default-policy.mode=auto");
            case "auto-tuned" -> {
                optimizerProps.add("--a6.optimizer.default-policy.mode=auto");
                for (String p : options.getOrDefault(
                                "tuned", "weight_floor=0.01,max_weight_step=0.5,weight_min_interval_seconds=5")
                        .split(",")) {
                    String[] kv = p.split("=", 2);
                    optimizerProps.add("--a6.optimizer.default-policy." + kebab(kv[0].strip()) + "=" + kv[1].strip());
                }
            }
            default ->
                throw new IllegalArgumentException(
                        "--scenarios: " + scenario + " (expected: static, auto, auto-tuned)");
        }
        int rate = intOption("rate", 50);
        int warmup = intOption("warmup", 20);
        int measure = intOption("measure", 90);
        int healthInterval = intOption("health-interval", 5);
        // APISIX's exporter serves text re-rendered every refresh_interval (15 s by default); the emulator plays that
        // cache and the reporter is told the same period, as on a real APISIX.
        String exporterRefresh = options.getOrDefault("exporter-refresh", "15");
        String optimizerInterval = options.getOrDefault("optimizer-interval", "1s");
        Path work = Files.createDirectories(
                Path.of(options.get("work")).toAbsolutePath().resolve(scenario));
        log(scenario, "starting (logs in " + work + ")");

        List<AutoCloseable> open = new ArrayList<>();
        try {
            EtcdServer etcd = EtcdServer.start();
            open.add(etcd);
            Client client = etcd.newClient();
            open.add(client);
            List<EchoBackend> nodes = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                EchoBackend b = EchoBackend.start("127.0.0.1" + (i + 1), 0);
                b.recordRequests(false);
                nodes.add(b);
                open.add(b);
            }
            put(client, UPSTREAM_KEY, upstreamJson(nodes));
            put(client, "/apisix/routes/1", "{\"name\":\"orders\",\"uri\":\"/orders/*\",\"upstream_id\":\"1\"}");

            int gatewayPort = freePort(), metricsPort = freePort(), controlPort = freePort();
            int optimizerPort = freePort();
            Path socket = work.resolve("runner.sock");
            Files.deleteIfExists(socket);
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Map<String, String> runnerEnv = new LinkedHashMap<>();
            runnerEnv.put("APISIX_LISTEN_ADDRESS", "unix:" + socket);
            runnerEnv.put("APISIX_CONF_EXPIRE_TIME", "3600");
            runnerEnv.put("A6_LANE_ADDRESS", "127.0.0.1:0");
            runnerEnv.put("A6_HEALTH_ETCD_ENDPOINTS", etcd.endpoint());
            runnerEnv.put("A6_HEALTH_NODE_ID", HEALTH_NODE_ID);
            runnerEnv.put("A6_HEALTH_INTERVAL", healthInterval + "s");
            runnerEnv.put("A6_HEALTH_PROMETHEUS_URL", "http://127.0.0.1:" + metricsPort + "/apisix/prometheus/metrics");
            runnerEnv.put("A6_HEALTH_CONTROL_URL", "http://127.0.0.1:" + controlPort + "/v1/healthcheck");
            runnerEnv.put(
                    "A6_HEALTH_PROMETHEUS_REFRESH_INTERVAL", exporterRefresh.equals("0") ? "100ms" : exporterRefresh);
            ChildProcess runner = ChildProcess.start(
                    "runner", List.of(java, "-Xmx256m", "-jar", options.get("runner-jar")), runnerEnv, work);
            open.add(runner);
            await("runner socket", 60, () -> {
                runner.requireAlive();
                return Files.exists(socket);
            });

            ChildProcess gateway = ChildProcess.start(
                    "gateway",
                    List.of(
                            java,
                            "-Xmx256m",
                            "-cp",
                            options.get("devstack-jar"),
                            "org.a6suite.emulator.EmulatorMain",
                            "--port",
                            "" + gatewayPort,
                            "--runner-socket",
                            socket.toString(),
                            "--etcd",
                            etcd.endpoint(),
                            "--etcd-prefix",
                            "/apisix",
                            "--metrics-port",
                            "" + metricsPort,
                            "--control-port",
                            "" + controlPort),
                    Map.of("A6_EMULATOR_PROMETHEUS_REFRESH_INTERVAL", exporterRefresh),
                    work);
            open.add(gateway);
            await("gateway metrics", 60, () -> {
                gateway.requireAlive();
                return ok("http://127.0.0.1:" + metricsPort + "/apisix/prometheus/metrics");
            });

            List<String> optimizerCmd = new ArrayList<>(List.of(
                    java,
                    "-Xmx384m",
                    "-jar",
                    options.get("optimizer-jar"),
                    "--server.port=" + optimizerPort,
                    "--a6.optimizer.etcd.endpoints=" + etcd.endpoint(),
                    "--a6.optimizer.leader.enabled=false",
                    "--a6.optimizer.interval=" + optimizerInterval));
            optimizerCmd.addAll(optimizerProps);
            ChildProcess optimizer = ChildProcess.start("optimizer", optimizerCmd, Map.of(), work);
            open.add(optimizer);
            String optimizerBase = "http://127.0.0.1:" + optimizerPort;
            await("optimizer health", 180, () -> {
                optimizer.requireAlive();
                return ok(optimizerBase + "/actuator/health");
            });
            log(scenario, "optimizer up: " + String.join(" ", optimizerCmd.subList(4, optimizerCmd.size())));

            URI gatewayUri = URI.create("http://127.0.0.1:" + gatewayPort);
            try (OpenLoopTraffic traffic = new OpenLoopTraffic(gatewayUri, rate);
                    Operator operator = new Operator(client, UPSTREAM_KEY)) {
                traffic.start();
                long warmStart = System.currentTimeMillis();
                // The reporter must know every node by ip:port (from the Control API) before the clock starts.
                await("health document with all four nodes", 90, () -> healthHasAllNodes(client, nodes));
                long waited = System.currentTimeMillis() - warmStart;
                if (waited < warmup * 1000L) {
                    Thread.sleep(warmup * 1000L - waited);
                }
                long t0 = System.currentTimeMillis();
                long delayMs = Long.parseLong(options.getOrDefault("fault-delay-ms", Long.toString(EXTRA_DELAY_MS)));
                double errorRate =
                        Double.parseDouble(options.getOrDefault("fault-error-rate", Double.toString(ERROR_RATE)));
                nodes.get(DEGRADED).fault(Fault.degraded(Duration.ofMillis(delayMs), errorRate, 42));
                operator.start(Long.parseLong(options.getOrDefault("operator-every-ms", "1000")), 100_000);
                log(
                        scenario,
                        "node " + nodes.get(DEGRADED).hostPort() + " degraded (+" + delayMs + " ms, "
                                + Math.round(errorRate * 100) + "% errors); measuring " + measure + " s at " + rate
                                + " req/s");
                List<long[]> shares = new ArrayList<>(); // per 10 s: requests to each node
                long[] lastCounts = counts(nodes);
                for (int s = 10; s <= measure; s += 10) {
                    Thread.sleep(Math.max(0, t0 + s * 1000L - System.currentTimeMillis()));
                    long[] c = counts(nodes);
                    long[] d = new long[NODES];
                    for (int i = 0; i < NODES; i++) {
                        d[i] = c[i] - lastCounts[i];
                    }
                    shares.add(d);
                    lastCounts = c;
                }
                long tEnd = t0 + measure * 1000L;
                Thread.sleep(Math.max(0, tEnd - System.currentTimeMillis()));
                operator.close();
                traffic.stopAndDrain();

                List<JsonNode> decisions = history(optimizerBase);
                List<long[]> writes = new ArrayList<>();
                for (JsonNode d : decisions) {
                    writes.add(new long[] {
                        d.path("mod_revision_before").asLong(),
                        d.path("mod_revision_after").asLong()
                    });
                }
                Operator.Audit audit = operator.audit(writes);
                String metrics = get(optimizerBase + "/actuator/prometheus");
                JsonNode finalUpstream = Operator.JSON.readTree(get(client, UPSTREAM_KEY));
                return report(
                        scenario,
                        rate,
                        measure,
                        t0,
                        tEnd,
                        nodes,
                        traffic,
                        shares,
                        decisions,
                        audit,
                        metrics,
                        finalUpstream,
                        work);
            }
        } finally {
            for (AutoCloseable c : open.reversed()) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("closing " + c + ": " + e);
                }
            }
        }
    }

    private String report(
            String scenario,
            int rate,
            int measure,
            long t0,
            long tEnd,
            List<EchoBackend> nodes,
            OpenLoopTraffic traffic,
            List<long[]> shares,
            List<JsonNode> decisions,
            Operator.Audit audit,
            String metrics,
            JsonNode finalUpstream,
            Path work)
            throws IOException {
        String degradedAddr = nodes.get(DEGRADED).hostPort();
        OpenLoopTraffic.Summary before = traffic.summary(t0 - 15_000, t0);
        OpenLoopTraffic.Summary all = traffic.summary(t0, tEnd);
        long steadyFrom = t0 + measure * 1000L / 2;
        OpenLoopTraffic.Summary steady = traffic.summary(steadyFrom, tEnd);
        long toDegraded = 0, total = 0;
        for (long[] d : shares) {
            toDegraded += d[DEGRADED];
            for (long x : d) {
                total += x;
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT, "%n== %s: %d req/s, measured %d s after degradation%n", scenario, rate, measure));
        out.append(String.format(Locale.ROOT, "before degradation (15 s): %s%n", fmt(before)));
        out.append(String.format(Locale.ROOT, "after degradation (%d s):  %s%n", measure, fmt(all)));
        out.append(String.format(Locale.ROOT, "second half (%d s):        %s%n", measure / 2, fmt(steady)));
        out.append("per 10 s after degradation: start s | requests | errors | p99 ms"
                + " | node 4 share of backend requests\n");
        for (int i = 0; i < shares.size(); i++) {
            OpenLoopTraffic.Summary w = traffic.summary(t0 + i * 10_000L, t0 + (i + 1) * 10_000L);
            long[] d = shares.get(i);
            long sum = 0;
            for (long x : d) {
                sum += x;
            }
            out.append(String.format(
                    Locale.ROOT,
                    "  %3d | %5d | %4d | %7.1f | %5.1f%%%n",
                    i * 10,
                    w.requests(),
                    w.errors(),
                    w.p99(),
                    sum == 0 ? 0 : 100.0 * d[DEGRADED] / sum));
        }
        Double firstChange = null;
        out.append("decisions (s after degradation, kind/actor, node 4 weight, timeout):\n");
        for (JsonNode d : decisions.reversed()) {
            double at = (d.path("at_ms").asLong() - t0) / 1000.0;
            int wBefore = d.path("before").path("weights").path(degradedAddr).asInt(-1);
            int wAfter = d.path("after").path("weights").path(degradedAddr).asInt(-1);
            if (firstChange == null && at >= 0 && wAfter >= 0 && wAfter < wBefore) {
                firstChange = at;
            }
            out.append(String.format(
                    Locale.ROOT,
                    "  %+7.1f %s/%s %d -> %d, timeout %s -> %s%n",
                    at,
                    d.path("kind").asString(),
                    d.path("actor").asString(),
                    wBefore,
                    wAfter,
                    d.path("before").path("timeout"),
                    d.path("after").path("timeout")));
        }
        out.append("final upstream: weights " + weights(finalUpstream) + ", timeout " + finalUpstream.path("timeout")
                + ", desc \"" + finalUpstream.path("desc").asString() + "\"\n");
        out.append("optimizer metrics: " + metricLines(metrics) + "\n");
        out.append(String.format(
                Locale.ROOT,
                "operator: %d edits committed, %d conflicts re-read; audit of %d " + "optimizer writes: %s%n",
                audit.edits(),
                audit.operatorConflicts(),
                audit.optimizerWritesChecked(),
                audit.clean() ? "no edit lost" : audit.problems()));
        System.out.print(out);
        Files.writeString(work.resolve("result.txt"), out);
        return String.format(
                Locale.ROOT,
                "| %s | %d | %.2f%% | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f%% | %.1f%% | %s | %d | %d | %d |",
                scenario,
                all.requests(),
                100 * all.errorRate(),
                all.p50(),
                all.p90(),
                all.p99(),
                all.p999(),
                steady.p99(),
                100 * steady.errorRate(),
                total == 0 ? 0 : 100.0 * toDegraded / total,
                firstChange == null ? "-" : String.format(Locale.ROOT, "%.1f", firstChange),
                decisions.size(),
                audit.edits(),
                audit.problems().size());
    }

    private static String fmt(OpenLoopTraffic.Summary s) {
        return String.format(
                Locale.ROOT,
                "%d requests, %d errors (%.2f%%), p50 %.1f, p90 %.1f, p99 %.1f, p99.9 %.1f," + " max %.1f ms",
                s.requests(),
                s.errors(),
                100 * s.errorRate(),
                s.p50(),
                s.p90(),
                s.p99(),
                s.p999(),
                s.max());
    }

    private static String metricLines(String metrics) {
        List<String> keep = new ArrayList<>();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("a6_optimizer_decisions_total")
                    || line.startsWith("a6_optimizer_conflicts_total")
                    || line.startsWith("a6_optimizer_rollbacks_total")) {
                keep.add(line.strip());
            }
        }
        return keep.isEmpty() ? "(none yet)" : String.join("; ", keep);
    }

    private static Map<String, Integer> weights(JsonNode upstream) {
        Map<String, Integer> w = new LinkedHashMap<>();
        for (JsonNode n : upstream.path("nodes")) {
            w.put(
                    n.path("host").asString() + ":" + n.path("port").asInt(),
                    n.path("weight").asInt());
        }
        return w;
    }

    /** The local stack's upstream 1 (etcd-seed/data/upstreams/1.json) with this run's node addresses. */
    static String upstreamJson(List<EchoBackend> nodes) {
        ObjectNode u = Operator.JSON.createObjectNode();
        u.put("name", "demo-orders");
        u.put("desc", "loop benchmark upstream");
        u.put("type", "roundrobin");
        ArrayNode array = u.putArray("nodes");
        for (EchoBackend b : nodes) {
            array.addObject().put("host", b.host()).put("port", b.port()).put("weight", 100);
        }
        u.putObject("timeout").put("connect", 2).put("send", 10).put("read", 10);
        u.put("retries", 1);
        // As seeded: with checks, the emulator's Control API lists the nodes by ip:port, which the health reporter
        // needs to give prometheus's bare node IPs their ports (the emulator reads no values inside checks).
        ObjectNode checks = u.putObject("checks");
        checks.putObject("active").put("type", "http").put("http_path", "/health");
        ObjectNode passive = checks.putObject("passive");
        passive.putObject("healthy")
                .put("successes", 3)
                .putArray("http_statuses")
                .add(200)
                .add(201);
        passive.putObject("unhealthy")
                .put("http_failures", 3)
                .put("timeouts", 3)
                .putArray("http_statuses")
                .add(500)
                .add(502)
                .add(503);
        return Operator.JSON.writeValueAsString(u);
    }

    private static boolean healthHasAllNodes(Client client, List<EchoBackend> nodes) throws Exception {
        String doc = get(client, "/a6/health/" + HEALTH_NODE_ID);
        if (doc == null) {
            return false;
        }
        JsonNode n = Operator.JSON
                .readTree(doc)
                .path("upstreams")
                .path("upstreams/1")
                .path("nodes");
        return nodes.stream()
                .allMatch(b -> n.path(b.hostPort()).path("requests").asLong() > 0);
    }

    private static long[] counts(List<EchoBackend> nodes) {
        long[] c = new long[nodes.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = nodes.get(i).requestCount();
        }
        return c;
    }

    private List<JsonNode> history(String base) throws Exception {
        List<JsonNode> list = new ArrayList<>();
        Operator.JSON
                .readTree(get(base + "/api/v1/upstreams/upstreams/1/history"))
                .forEach(list::add);
        return list; // newest first
    }

    private static void put(Client client, String key, String value) throws Exception {
        client.getKVClient()
                .put(ByteSequence.from(key, UTF_8), ByteSequence.from(value, UTF_8))
                .get(5, TimeUnit.SECONDS);
    }

    private static String get(Client client, String key) throws Exception {
        GetResponse r = client.getKVClient().get(ByteSequence.from(key, UTF_8)).get(5, TimeUnit.SECONDS);
        return r.getKvs().isEmpty() ? null : r.getKvs().getFirst().getValue().toString(UTF_8);
    }

    private String get(String url) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + ": HTTP " + r.statusCode());
        }
        return r.body();
    }

    private boolean ok(String url) {
        try {
            get(url);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(String what, int seconds, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (check.ok()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(what + ": not ready within " + seconds + " s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A policy field as the API names it ({@code weight_floor}) to its property key ({@code weight-floor}). */
    private static String kebab(String snake) {
        return snake.replace('_', '-');
    }

    private static void log(String scenario, String message) {
        System.err.printf(Locale.ROOT, "[%tT] loop-bench %s: %s%n", System.currentTimeMillis(), scenario, message);
    }
}
