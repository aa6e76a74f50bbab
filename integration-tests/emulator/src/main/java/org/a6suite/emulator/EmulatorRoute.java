package org.a6suite.emulator;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One APISIX route as the emulator understands it: a {@code uri} (exact, or a prefix when it ends in {@code /*}),
 * optional {@code methods}, the three ext-plugins and an upstream. Part of the APISIX emulator, a TEST AND DEVELOPMENT
 * FIXTURE that is never shipped as a gateway.
 *
 * <p>Build one with {@link #builder(String)} or read APISIX's route JSON (the body PUT to
 * {@code /apisix/admin/routes/<id>}, as in the transcripts' {@code route.json}) with {@link #fromJson(String, String)}.
 * Plugins other than the three ext-plugins are rejected, so a test never silently runs without a plugin it asked for.
 */
public final class EmulatorRoute {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String id;
    private final String uri;
    private final Set<String> methods;
    private final Map<ExtPluginConf.Phase, ExtPluginConf> plugins;
    private final EmulatorUpstream upstream;
    private final Optional<String> serviceId;

    private EmulatorRoute(Builder b) {
        this.id = b.id;
        this.uri = b.uri;
        this.methods = Set.copyOf(b.methods);
        this.plugins = Map.copyOf(b.plugins);
        this.upstream = b.upstream;
        this.serviceId = b.serviceId;
    }

    /** A route builder; {@code id} becomes {@code route_id} and the {@code conf_id} of PrepareConf keys. */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /**
     * Reads APISIX route JSON: {@code uri}, {@code methods}, {@code plugins} (only the three ext-plugins) and
     * {@code upstream} ({@code nodes} as a {@code "host:port": weight} map or an array of
     * {@code {host, port, weight}}; {@code timeout {connect, send, read}} in seconds).
     *
     * @throws IllegalArgumentException naming the field when the JSON is not a route the emulator can run
     */
    public static EmulatorRoute fromJson(String id, String apisixRouteJson) {
        requireNonNull(apisixRouteJson, "apisixRouteJson");
        JsonNode root = parse("route " + id, apisixRouteJson);
        Builder b = routeFields(id, root);
        EmulatorUpstream upstream = UpstreamJson.upstream(root.path("upstream"), "upstream");
        if (root.has("timeout")) {
            upstream = upstream.withTimeout(UpstreamJson.timeout(root.path("timeout"), "timeout"));
        }
        return b.upstream(upstream).build();
    }

    static JsonNode parse(String what, String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(what + ": not JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException(what + ": " + root.getNodeType() + " (expected: an object)");
        }
        return root;
    }

    /**
     * The route's own fields, everything but the upstream: {@code uri} (or the first of {@code uris}),
     * {@code methods}, {@code plugins}. {@code prometheus} is accepted and needs no configuration here (the emulator
     * always records its metrics); any other plugin besides the three ext-plugins is rejected.
     */
    static Builder routeFields(String id, JsonNode root) {
        return routeFields(id, root, null);
    }

    /** As {@link #routeFields(String, JsonNode)}, with a service's plugins under the route's (route wins by name). */
    static Builder routeFields(String id, JsonNode root, JsonNode servicePlugins) {
        Builder b = builder(id);
        if (servicePlugins != null) {
            plugins(servicePlugins, "service.plugins", b);
        }
        JsonNode uris = root.path("uris");
        b.uri(
                root.has("uri") || !uris.isArray() || uris.isEmpty()
                        ? requiredString(root, "uri")
                        : uris.get(0).asString());
        JsonNode methods = root.path("methods");
        if (methods.isArray()) {
            for (JsonNode m : methods.values()) {
                b.method(m.asString());
            }
        }
        plugins(root.path("plugins"), "plugins", b);
        return b;
    }

    /** Adds a {@code plugins} object's ext-plugins to {@code b}, replacing any already there (route over service). */
    static void plugins(JsonNode plugins, String field, Builder b) {
        for (Map.Entry<String, JsonNode> plugin : plugins.properties()) {
            if (plugin.getKey().equals("prometheus")) {
                continue;
            }
            ExtPluginConf.Phase phase = ExtPluginConf.Phase.ofPluginName(plugin.getKey())
                    .orElseThrow(() -> new IllegalArgumentException(field + "." + plugin.getKey()
                            + ": unsupported (expected: ext-plugin-pre-req, ext-plugin-post-req, ext-plugin-post-resp"
                            + " or prometheus)"));
            b.plugin(phase, parsePlugin(plugin.getKey(), plugin.getValue()));
        }
    }

    private static ExtPluginConf parsePlugin(String name, JsonNode node) {
        List<ExtPluginConf.Entry> entries = new ArrayList<>();
        JsonNode conf = node.path("conf");
        if (!conf.isMissingNode() && !conf.isArray()) {
            throw new IllegalArgumentException("plugins." + name + ".conf: " + conf + " (expected: an array)");
        }
        for (JsonNode e : conf.values()) {
            entries.add(new ExtPluginConf.Entry(requiredString(e, "name"), requiredString(e, "value")));
        }
        return new ExtPluginConf(entries, node.path("allow_degradation").asBoolean(false));
    }

    private static String requiredString(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (!v.isString()) {
            throw new IllegalArgumentException(field + ": " + v + " (expected: a string)");
        }
        return v.asString();
    }

    public String id() {
        return id;
    }

    public String uri() {
        return uri;
    }

    /** Upper-case method names; empty means every method. */
    public Set<String> methods() {
        return methods;
    }

    public Optional<ExtPluginConf> plugin(ExtPluginConf.Phase phase) {
        return Optional.ofNullable(plugins.get(phase));
    }

    public EmulatorUpstream upstream() {
        return upstream;
    }

    /** The route's {@code service_id}, the {@code service} label of its metrics. */
    public Optional<String> serviceId() {
        return serviceId;
    }

    /** Whether this route serves {@code method} on the decoded, normalized {@code $uri}. */
    public boolean matches(String method, String decodedUri) {
        if (!methods.isEmpty() && !methods.contains(method)) {
            return false;
        }
        if (uri.endsWith("*")) {
            return decodedUri.startsWith(uri.substring(0, uri.length() - 1));
        }
        return uri.equals(decodedUri);
    }

    @Override
    public String toString() {
        return "EmulatorRoute{id=" + id + ", uri=" + uri + ", methods=" + methods + ", plugins=" + plugins.keySet()
                + ", upstream=" + upstream + "}";
    }

    /** Builds an {@link EmulatorRoute}; {@code uri} and {@code upstream} are required. */
    public static final class Builder {
        private final String id;
        private String uri;
        private final Set<String> methods = new LinkedHashSet<>();
        private final Map<ExtPluginConf.Phase, ExtPluginConf> plugins = new EnumMap<>(ExtPluginConf.Phase.class);
        private EmulatorUpstream upstream;
        private Optional<String> serviceId = Optional.empty();

        private Builder(String id) {
            this.id = requireNonNull(id, "id");
            if (id.isEmpty() || id.contains("#")) {
                throw new IllegalArgumentException("id: " + id + " (expected: non-empty, no '#')");
            }
        }

        /** An exact path, or a prefix ending in {@code /*}. */
        public Builder uri(String uri) {
            requireNonNull(uri, "uri");
            if (!uri.startsWith("/")) {
                throw new IllegalArgumentException("uri: " + uri + " (expected: starts with '/')");
            }
            this.uri = uri;
            return this;
        }

        public Builder method(String method) {
            methods.add(requireNonNull(method, "method").toUpperCase(Locale.ROOT));
            return this;
        }

        public Builder plugin(ExtPluginConf.Phase phase, ExtPluginConf conf) {
            plugins.put(requireNonNull(phase, "phase"), requireNonNull(conf, "conf"));
            return this;
        }

        public Builder preReq(ExtPluginConf conf) {
            return plugin(ExtPluginConf.Phase.PRE_REQ, conf);
        }

        public Builder postReq(ExtPluginConf conf) {
            return plugin(ExtPluginConf.Phase.POST_REQ, conf);
        }

        public Builder postResp(ExtPluginConf conf) {
            return plugin(ExtPluginConf.Phase.POST_RESP, conf);
        }

        public Builder upstream(EmulatorUpstream upstream) {
            this.upstream = requireNonNull(upstream, "upstream");
            return this;
        }

        /** One upstream node {@code host:port}, weight 1, default timeouts. */
        public Builder upstream(String host, int port) {
            return upstream(EmulatorUpstream.of(host, port));
        }

        /** The route's {@code service_id} (only a label here: the caller resolves the service). */
        public Builder serviceId(String serviceId) {
            this.serviceId = Optional.of(requireNonNull(serviceId, "serviceId"));
            return this;
        }

        public EmulatorRoute build() {
            if (uri == null) {
                throw new IllegalArgumentException("uri: null (expected: an exact path or a prefix ending in /*)");
            }
            if (upstream == null) {
                throw new IllegalArgumentException("upstream: null (expected: at least one node)");
            }
            return new EmulatorRoute(this);
        }
    }
}
