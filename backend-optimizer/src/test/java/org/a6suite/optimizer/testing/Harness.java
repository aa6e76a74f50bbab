package org.a6suite.optimizer.testing;

import static org.a6suite.optimizer.etcd.Etcd.bytes;

import io.etcd.jetcd.Client;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.a6suite.optimizer.OptimizerApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Starts the optimizer application on a random port against a given etcd, and talks to it over HTTP. */
public final class Harness implements AutoCloseable {

    public static final String API_KEY = "test-api-key-0123456789";
    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final ConfigurableApplicationContext context;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String base;

    public Harness(String etcdEndpoint, String... extraProperties) {
        List<String> props = new ArrayList<>(List.of(
                "server.port=0",
                "a6.optimizer.etcd.endpoints=" + etcdEndpoint,
                "a6.optimizer.interval=200ms",
                "a6.optimizer.api.api-key=" + API_KEY,
                "a6.optimizer.leader.lease-ttl=2s",
                "a6.optimizer.default-policy.min-samples=50",
                "a6.optimizer.default-policy.weight-min-interval-seconds=0",
                "logging.level.root=WARN",
                "logging.level.org.a6suite=INFO"));
        props.addAll(List.of(extraProperties));
        // Command-line arguments: they win over application.yaml (builder "properties" would not).
        context = new SpringApplicationBuilder(OptimizerApplication.class)
                .run(props.stream().map(p -> "--" + p).toArray(String[]::new));
        base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    public String base() {
        return base;
    }

    public record Response(int status, String contentType, String body) {
        public JsonNode json() {
            return JSON.readTree(body);
        }
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), Map.of());
    }

    public Response post(String path, String body, Map<String, String> headers) {
        return send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body))
                        .header("Content-Type", "application/json"),
                headers);
    }

    public Response put(String path, String body, Map<String, String> headers) {
        return send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .PUT(HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/json"),
                headers);
    }

    /** Any method, body and content type, for tests of what the API refuses. */
    public Response request(String method, String path, String body, String contentType, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b, headers);
    }

    public static Map<String, String> key() {
        return Map.of("X-API-Key", API_KEY);
    }

    private Response send(HttpRequest.Builder builder, Map<String, String> headers) {
        headers.forEach(builder::header);
        try {
            HttpResponse<String> r =
                    http.send(builder.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(
                    r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Publishes one health document for {@code upstreams/1}, as the runner's reporter would. */
    public static void publishHealth(Client client, String nodeId, Map<String, double[]> nodes) throws Exception {
        publishHealth(client, nodeId, "upstreams/1", nodes);
    }

    /**
     * Publishes one health document of reporter {@code nodeId} covering one upstream ({@code upstreams/<id>}); per node
     * {@code {requests, 5xx, p50, p99}}.
     */
    public static void publishHealth(Client client, String nodeId, String upstreamKey, Map<String, double[]> nodes)
            throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"version\":1,\"node_id\":\"")
                .append(nodeId)
                .append("\",\"generated_at_ms\":")
                .append(System.currentTimeMillis())
                .append(",\"interval_ms\":5000,\"upstreams\":{\"")
                .append(upstreamKey)
                .append("\":{\"nodes\":{");
        boolean first = true;
        for (Map.Entry<String, double[]> e : nodes.entrySet()) {
            double[] v = e.getValue(); // requests, 5xx, p50, p99
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append('"')
                    .append(e.getKey())
                    .append("\":{\"requests\":")
                    .append((long) v[0])
                    .append(",\"errors\":{\"http_5xx\":")
                    .append((long) v[1])
                    .append(",\"http_4xx\":0,\"timeout\":0,")
                    .append("\"connect\":0},\"latency_ms\":{\"p50\":")
                    .append(v[2])
                    .append(",\"p90\":")
                    .append(v[2])
                    .append(",\"p99\":")
                    .append(v[3])
                    .append("},\"connect_ms\":{\"p50\":0.3,\"p99\":1.0},")
                    .append("\"response_ms\":{\"p50\":")
                    .append(v[2])
                    .append(",\"p99\":")
                    .append(v[3])
                    .append("},\"health\":\"healthy\",\"sources\":[\"prometheus\"]}");
        }
        sb.append("}}}}");
        client.getKVClient()
                .put(bytes("/a6/health/" + nodeId), bytes(sb.toString()))
                .get(5, TimeUnit.SECONDS);
    }

    public static String value(Client client, String key) throws Exception {
        var kvs = client.getKVClient().get(bytes(key)).get(5, TimeUnit.SECONDS).getKvs();
        return kvs.isEmpty() ? null : kvs.getFirst().getValue().toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        context.close();
    }
}
