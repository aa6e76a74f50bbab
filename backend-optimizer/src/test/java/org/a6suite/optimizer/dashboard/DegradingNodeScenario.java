package org.a6suite.optimizer.dashboard;

import static org.a6suite.optimizer.etcd.Etcd.bytes;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.a6suite.optimizer.testing.Harness;
import tools.jackson.databind.JsonNode;

/**
 * The story the dashboard has to tell, played in real time against a running optimizer: {@code upstreams/1} has four
 * nodes at weight 75 serving ~2,000 requests per report; after a healthy start, node {@code 127.0.0.14:18084} slows
 * down (p99 from ~80 ms to ~450 ms, a few percent of errors) until the optimizer ejects it. Beside it, the idle
 * placeholder {@code routes/2} (first by name, no traffic) and a quiet {@code upstreams/2}, so that opening on the busiest
 * upstream is something the page has to do on purpose.
 */
final class DegradingNodeScenario implements AutoCloseable {

    static final String BUSY = "upstreams/1";
    static final String IDLE = "routes/2";
    static final String QUIET = "upstreams/2";
    static final List<String> NODES =
            List.of("127.0.0.11:18081", "127.0.0.12:18082", "127.0.0.13:18083", "127.0.0.14:18084");
    static final String SLOW = NODES.get(3);

    private static final int REQUESTS_PER_REPORT = 2000;

    private final Client client;
    private final Harness app;
    private final Random random = new Random(13);
    private final java.util.concurrent.ExecutorService reporter =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "a6-test-health-reporter");
                t.setDaemon(true);
                return t;
            });
    private volatile boolean running = true;

    DegradingNodeScenario(Client client, Harness app) {
        this.client = client;
        this.app = app;
    }

    /** The APISIX objects, written before the optimizer starts. */
    static void seed(Client client) throws Exception {
        StringBuilder nodes = new StringBuilder();
        for (String n : NODES) {
            nodes.append(nodes.isEmpty() ? "" : ",").append('"').append(n).append("\":75");
        }
        put(client, "/apisix/upstreams/1", "{\"type\":\"roundrobin\",\"nodes\":{" + nodes + "}}");
        put(
                client,
                "/apisix/upstreams/2",
                "{\"type\":\"roundrobin\",\"nodes\":{\"127.0.0.21:18091\":10," + "\"127.0.0.22:18092\":10}}");
        put(
                client,
                "/apisix/routes/2",
                "{\"uri\":\"/placeholder\",\"upstream\":{\"type\":\"roundrobin\","
                        + "\"nodes\":{\"127.0.0.31:18099\":1}}}");
    }

    /**
     * Starts publishing health reports, one every {@code every}, until closed; node 4 starts degrading at report
     * {@code degradeAt}. Real time on purpose: the dashboard's time axis is the optimizer's clock, and the reports must
     * go on while the browser looks (a report older than three of its intervals is ignored).
     */
    DegradingNodeScenario start(int degradeAt, Duration every) {
        reporter.submit(() -> {
            for (int i = 0; running; i++) {
                report(i, degradeAt);
                // The reports are the scenario's clock: one per step, as a runner's reporter sends them.
                Thread.sleep(every.toMillis());
            }
            return null;
        });
        return this;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        reporter.shutdown();
        reporter.awaitTermination(10, TimeUnit.SECONDS);
    }

    private void report(int i, int degradeAt) throws Exception {
        Map<String, Integer> weights = weights();
        int total = weights.values().stream().mapToInt(Integer::intValue).sum();
        Map<String, String> busy = new LinkedHashMap<>();
        for (String n : NODES) {
            long requests = total == 0
                    ? 0
                    : Math.round(
                            REQUESTS_PER_REPORT * (double) weights.get(n) / total * (0.95 + 0.1 * random.nextDouble()));
            double degraded = n.equals(SLOW) && i >= degradeAt ? Math.min(1, (i - degradeAt + 1) / 6.0) : 0;
            double p50 = 18 + 4 * random.nextDouble() + degraded * 110;
            double p99 = 70 + 20 * random.nextDouble() + degraded * 380;
            double errorRate = 0.002 * random.nextDouble() + degraded * 0.035;
            busy.put(n, node(requests, errorRate, p50, p99));
        }
        Map<String, String> quiet =
                Map.of("127.0.0.21:18091", node(40, 0, 9, 30), "127.0.0.22:18092", node(38, 0, 10, 33));
        publish(Map.of(BUSY, busy, QUIET, quiet));
    }

    private Map<String, Integer> weights() {
        JsonNode w = app.get("/api/v1/upstreams/" + BUSY).json().get("weights");
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String n : NODES) {
            m.put(n, w.get(n).asInt());
        }
        return m;
    }

    private static String node(long requests, double errorRate, double p50, double p99) {
        long errors = Math.round(requests * errorRate);
        String latency = requests == 0
                ? "{}"
                : String.format(
                        Locale.ROOT, "{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f}", p50, p50 + 0.6 * (p99 - p50), p99);
        return "{\"requests\":" + requests + ",\"errors\":{\"http_5xx\":" + errors + ",\"http_4xx\":0,\"timeout\":0,"
                + "\"connect\":0},\"latency_ms\":" + latency + ",\"connect_ms\":"
                + (requests == 0 ? "{}" : "{\"p50\":0.3,\"p99\":1.1}") + ",\"response_ms\":" + latency
                + ",\"health\":\"healthy\",\"sources\":[\"prometheus\"]}";
    }

    private void publish(Map<String, Map<String, String>> upstreams) throws Exception {
        StringBuilder sb = new StringBuilder("{\"version\":1,\"node_id\":\"apisix-1\",\"generated_at_ms\":")
                .append(System.currentTimeMillis())
                .append(",\"interval_ms\":1000,\"upstreams\":{");
        boolean first = true;
        for (var u : upstreams.entrySet()) {
            sb.append(first ? "" : ",").append('"').append(u.getKey()).append("\":{\"nodes\":{");
            first = false;
            boolean firstNode = true;
            for (var n : u.getValue().entrySet()) {
                sb.append(firstNode ? "" : ",")
                        .append('"')
                        .append(n.getKey())
                        .append("\":")
                        .append(n.getValue());
                firstNode = false;
            }
            sb.append("}}");
        }
        put(client, "/a6/health/apisix-1", sb.append("}}").toString());
    }

    private static void put(Client client, String key, String value) throws Exception {
        client.getKVClient().put(bytes(key), bytes(value)).get(5, TimeUnit.SECONDS);
    }
}
