package org.a6suite.e2e.support;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds APISIX route JSON (the body PUT to {@code /apisix/admin/routes/<id>}) for end-to-end tests, so tests state
 * routes the way an operator would write them, and the emulator reads them exactly as it reads recorded routes.
 *
 * <pre>{@code
 * String json = ApisixRoutes.uri("/ai/*").preReq("ai-gateway", configJson).upstream("127.0.0.1:1").toJson();
 * }</pre>
 */
public final class ApisixRoutes {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The upstream of routes whose plugin always answers with a Stop (ai-gateway in invoke mode): APISIX requires an
     * upstream, but it is never contacted. Port 1 on loopback refuses connections, so a plugin that unexpectedly lets
     * a request through is seen as a 502 instead of reaching something by accident.
     */
    public static final String UNUSED_UPSTREAM = "127.0.0.1:1";

    /**
     * The runner's HTTP lane as a route's upstream node: {@link GatewayHarness} replaces it with the lane's real
     * {@code host:port} when it starts the runner with {@link GatewayHarness.Builder#lane()}.
     */
    public static final String LANE = "a6-lane.invalid:9093";

    private final String uri;
    private final Map<String, Map<String, String>> phases = new LinkedHashMap<>();
    private String upstream = UNUSED_UPSTREAM;
    private String[] methods = new String[0];
    private Double readTimeoutSeconds;

    private ApisixRoutes(String uri) {
        this.uri = requireNonNull(uri, "uri");
    }

    /** A route on {@code uri} (exact, or a prefix when it ends in {@code /*}). */
    public static ApisixRoutes uri(String uri) {
        return new ApisixRoutes(uri);
    }

    public ApisixRoutes methods(String... methods) {
        this.methods = methods.clone();
        return this;
    }

    /** Adds a {@code {name, value}} entry to {@code ext-plugin-pre-req}'s conf (entries keep their order). */
    public ApisixRoutes preReq(String pluginName, String valueJson) {
        return entry("ext-plugin-pre-req", pluginName, valueJson);
    }

    /** Adds a {@code {name, value}} entry to {@code ext-plugin-post-resp}'s conf. */
    public ApisixRoutes postResp(String pluginName, String valueJson) {
        return entry("ext-plugin-post-resp", pluginName, valueJson);
    }

    private ApisixRoutes entry(String phase, String pluginName, String valueJson) {
        requireNonNull(pluginName, "pluginName");
        requireNonNull(valueJson, "valueJson");
        phases.computeIfAbsent(phase, p -> new LinkedHashMap<>()).put(pluginName, valueJson);
        return this;
    }

    /** The single upstream node, {@code host:port}; default {@link #UNUSED_UPSTREAM}. */
    public ApisixRoutes upstream(String hostPort) {
        this.upstream = requireNonNull(hostPort, "hostPort");
        return this;
    }

    /** The route's {@code timeout} (connect and send 6 s, read {@code seconds}): nginx's longest silence on a read. */
    public ApisixRoutes readTimeout(double seconds) {
        this.readTimeoutSeconds = seconds;
        return this;
    }

    /** The route JSON; the plugin values are embedded as strings, as APISIX stores them. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("uri", uri);
        if (methods.length > 0) {
            var array = root.putArray("methods");
            for (String m : methods) {
                array.add(m);
            }
        }
        ObjectNode plugins = root.putObject("plugins");
        phases.forEach((phase, entries) -> {
            var conf = plugins.putObject(phase).putArray("conf");
            entries.forEach((name, value) -> conf.addObject().put("name", name).put("value", value));
        });
        ObjectNode up = root.putObject("upstream");
        up.put("type", "roundrobin");
        up.putObject("nodes").put(upstream, 1);
        if (readTimeoutSeconds != null) {
            root.putObject("timeout").put("connect", 6).put("send", 6).put("read", readTimeoutSeconds);
        }
        return JSON.writeValueAsString(root);
    }
}
