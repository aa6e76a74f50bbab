package org.a6suite.emulator;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.emulator.internal.Engine.ResolvedRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Maps the APISIX route, upstream and service JSON read from etcd into the emulator's resolved routes; knows nothing
 * of how the keys were read (see {@link EtcdRouteSource} for the rules it follows). Part of the APISIX emulator, a
 * TEST AND DEVELOPMENT FIXTURE.
 */
final class RouteResolver {

    private static final Logger log = LoggerFactory.getLogger(RouteResolver.class);
    private static final String INIT_DIR = "init_dir";

    /** One etcd value with the revision it was last written at (PrepareConf keys and balancer keys use it). */
    record Entry(String value, long modRevision) {
        Entry {
            requireNonNull(value, "value");
        }
    }

    /** Where a route's upstream came from: the upstream, its etcd-derived balancer key and its health-check name. */
    private record Source(EmulatorUpstream upstream, String balancerKey, String healthName) {}

    private final String prefix;

    /** {@code prefix} is the etcd prefix without a trailing slash ({@code /apisix}). */
    RouteResolver(String prefix) {
        this.prefix = requireNonNull(prefix, "prefix");
    }

    /**
     * Every route under {@code <prefix>/routes/} that the emulator can run, resolved against the upstreams and services
     * in {@code kvs} (full etcd keys to entries). A route it cannot run is left out and logged at ERROR.
     */
    List<ResolvedRoute> resolveAll(Map<String, Entry> kvs) {
        Map<String, Entry> routes = dir(kvs, "routes");
        Map<String, Entry> upstreams = dir(kvs, "upstreams");
        Map<String, Entry> services = dir(kvs, "services");
        List<ResolvedRoute> resolved = new ArrayList<>();
        for (Map.Entry<String, Entry> r : routes.entrySet()) {
            try {
                resolve(r.getKey(), r.getValue(), upstreams, services).ifPresent(resolved::add);
            } catch (IllegalArgumentException e) {
                log.error("emulator: route {}/routes/{} left out: {}", prefix, r.getKey(), e.getMessage());
            }
        }
        return List.copyOf(resolved);
    }

    /** The JSON objects of one directory by id, without placeholders. */
    private Map<String, Entry> dir(Map<String, Entry> kvs, String name) {
        String p = prefix + "/" + name + "/";
        Map<String, Entry> out = new HashMap<>();
        for (Map.Entry<String, Entry> e : kvs.entrySet()) {
            if (!e.getKey().startsWith(p)) {
                continue;
            }
            String id = e.getKey().substring(p.length());
            String value = e.getValue().value().strip();
            if (id.isEmpty() || id.contains("/") || value.equals(INIT_DIR) || value.equals("\"" + INIT_DIR + "\"")) {
                continue;
            }
            out.put(id, e.getValue());
        }
        return out;
    }

    private Optional<ResolvedRoute> resolve(
            String id, Entry route, Map<String, Entry> upstreams, Map<String, Entry> services) {
        JsonNode root = EmulatorRoute.parse("route " + id, route.value());
        Optional<String> serviceId = id(root.path("service_id"));
        JsonNode service = null;
        Entry serviceKv = null;
        if (serviceId.isPresent()) {
            serviceKv = services.get(serviceId.get());
            if (serviceKv == null) {
                log.error(
                        "emulator: failed to fetch service configuration by id: {} (route {} answers 404)",
                        serviceId.get(),
                        id);
                return Optional.empty();
            }
            service = EmulatorRoute.parse("service " + serviceId.get(), serviceKv.value());
        }
        EmulatorRoute.Builder b = EmulatorRoute.routeFields(id, root, service == null ? null : service.path("plugins"));
        serviceId.ifPresent(b::serviceId);

        Source source;
        if (root.has("upstream")) {
            // the Control API names a checked upstream by its etcd key: the route's for an inline one
            source = new Source(
                    UpstreamJson.upstream(root.path("upstream"), "upstream"),
                    "routes/" + id + "#" + route.modRevision(),
                    prefix + "/routes/" + id);
        } else if (root.has("upstream_id")) {
            source = byId(upstreams, root.path("upstream_id"), id);
        } else if (service != null && service.has("upstream")) {
            source = new Source(
                    UpstreamJson.upstream(service.path("upstream"), "service.upstream"),
                    "services/" + serviceId.get() + "#" + serviceKv.modRevision(),
                    prefix + "/services/" + serviceId.get());
        } else if (service != null && service.has("upstream_id")) {
            source = byId(upstreams, service.path("upstream_id"), id);
        } else {
            log.error("emulator: route {} has no upstream, upstream_id or service upstream (answers 502)", id);
            source = new Source(
                    new EmulatorUpstream(List.of(), EmulatorUpstream.Timeout.DEFAULT),
                    "routes/" + id + "#" + route.modRevision(),
                    prefix + "/routes/" + id);
        }
        EmulatorUpstream upstream = source.upstream();
        if (root.has("timeout")) {
            upstream = upstream.withTimeout(UpstreamJson.timeout(root.path("timeout"), "timeout"));
        }
        EmulatorRoute built = b.upstream(upstream).build();
        if (serviceKv == null) {
            return Optional.of(new ResolvedRoute(
                    built,
                    "route",
                    id,
                    String.valueOf(route.modRevision()),
                    source.balancerKey(),
                    source.healthName()));
        }
        return Optional.of(new ResolvedRoute(
                built,
                "route&service",
                id + "&" + serviceId.get(),
                route.modRevision() + "&" + serviceKv.modRevision(),
                source.balancerKey(),
                source.healthName()));
    }

    /** The upstream object named by an {@code upstream_id}, or one with no node (502) when it does not exist. */
    private Source byId(Map<String, Entry> upstreams, JsonNode upstreamId, String routeId) {
        String uid = id(upstreamId).orElse("");
        Entry kv = upstreams.get(uid);
        String balancerKey = "upstreams/" + uid + "#" + (kv == null ? 0L : kv.modRevision());
        String healthName = prefix + "/upstreams/" + uid;
        if (kv == null) {
            log.error("emulator: failed to find upstream by id: {} (route {} answers 502)", uid, routeId);
            return new Source(
                    new EmulatorUpstream(List.of(), EmulatorUpstream.Timeout.DEFAULT), balancerKey, healthName);
        }
        return new Source(
                UpstreamJson.upstream(EmulatorRoute.parse("upstream " + uid, kv.value()), "upstreams/" + uid),
                balancerKey,
                healthName);
    }

    /** APISIX ids are strings or numbers. */
    private static Optional<String> id(JsonNode node) {
        if (node.isString()) {
            return Optional.of(node.asString());
        }
        if (node.isIntegralNumber()) {
            return Optional.of(String.valueOf(node.asLong()));
        }
        return Optional.empty();
    }
}
