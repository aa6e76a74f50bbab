package org.a6suite.health.internal;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.a6suite.health.EtcdPublisher;

/**
 * What APISIX's own configuration in etcd says, refreshed on demand: which upstream key a route or service reports
 * under (a route with {@code upstream_id} reports under {@code upstreams/<id>}) and which nodes the upstreams name.
 * On a failed read the previous view stays; etcd trouble is reported by the publishing path.
 */
public final class ApisixConfigView {

    private final EtcdPublisher etcd;
    private final String prefix;
    private volatile Map<String, String> resolvedKeys = Map.of();
    private volatile Set<NodeKey> configuredNodes = Set.of();

    /** {@code prefix}: where APISIX keeps its configuration (its {@code etcd.prefix}, {@code /apisix} by default). */
    public ApisixConfigView(EtcdPublisher etcd, String prefix) {
        this.etcd = requireNonNull(etcd, "etcd");
        this.prefix = requireNonNull(prefix, "prefix");
    }

    /** The upstream key {@code key} (e.g. {@code routes/1}) reports under, or {@code key} itself. */
    public String resolve(String key) {
        return resolvedKeys.getOrDefault(key, key);
    }

    /** The nodes APISIX's configuration names (host:port per upstream key), as of the last refresh. */
    public Set<NodeKey> configuredNodes() {
        return configuredNodes;
    }

    /** Reads routes, services and upstreams again; the view changes when the reads complete. */
    public void refresh() {
        CompletionStage<Map<String, String>> routes;
        CompletionStage<Map<String, String>> services;
        CompletionStage<Map<String, String>> upstreams;
        try {
            routes = etcd.readPrefix(prefix + "/routes/");
            services = etcd.readPrefix(prefix + "/services/");
            upstreams = etcd.readPrefix(prefix + "/upstreams/");
        } catch (RuntimeException e) {
            return;
        }
        CompletionStage<Map<String, String>> routesAndServices = routes.thenCombine(services, ApisixConfigView::merge);
        routesAndServices
                .thenCombine(upstreams, (rs, u) -> ApisixKeyResolver.configuredNodes(merge(rs, u)))
                .whenComplete((nodes, error) -> {
                    if (error == null) {
                        configuredNodes = Set.copyOf(nodes);
                    }
                });
        routesAndServices.thenApply(ApisixKeyResolver::resolve).whenComplete((mapping, error) -> {
            if (error == null) {
                resolvedKeys = mapping;
            }
        });
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> all = new HashMap<>(a);
        all.putAll(b);
        return all;
    }
}
