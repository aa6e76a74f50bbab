package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.a6suite.mcp.McpGatewayConfig;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How an upstream's names and URIs appear to clients, and how a client's name or URI finds its upstream again.
 *
 * <pre>
 *   tool, prompt          add          ->  calc_add            (upstream prefix "calc_")
 *   resource URI          file:///a.md ->  calc+file:///a.md   (upstream uri_prefix "calc+")
 *   URI template          file:///{p}  ->  calc+file:///{p}
 *   resource/template name readme      ->  calc_readme
 * </pre>
 *
 * A URI keeps its own scheme behind the upstream's ({@code calc+file}), so it is still a URI (RFC 3986 schemes may
 * hold {@code +}) and a template stays a template: a client expands {@code calc+file:///{p}} into
 * {@code calc+file:///x}, and stripping {@code calc+} gives the upstream's own {@code file:///x}. Routing takes the
 * longest matching prefix; the configuration refuses uriPrefixes that nest, so a URI has at most one upstream.
 * The same mapping serves answers now and relayed notifications ({@code notifications/resources/updated}) later.
 */
public final class FederatedNames {

    private FederatedNames() {}

    /** A client-facing name or URI resolved to its upstream and the upstream's own spelling. */
    public record Routed(McpGatewayConfig.Upstream upstream, String local) {
        public Routed {
            requireNonNull(upstream, "upstream");
            requireNonNull(local, "local");
        }
    }

    public static String name(McpGatewayConfig.Upstream upstream, String name) {
        return upstream.prefix() + name;
    }

    public static String uri(McpGatewayConfig.Upstream upstream, String uri) {
        return upstream.uriPrefix() + uri;
    }

    /** The upstream whose {@code prefix} starts {@code name} (the longest one), and the name without it. */
    public static Optional<Routed> routeName(List<McpGatewayConfig.Upstream> upstreams, String name) {
        // A loop, not a stream: this runs on every federated call. The longest prefix wins; the first of equals.
        McpGatewayConfig.Upstream best = null;
        for (McpGatewayConfig.Upstream u : upstreams) {
            int length = u.prefix().length();
            if (name.length() > length
                    && name.startsWith(u.prefix())
                    && (best == null || length > best.prefix().length())) {
                best = u;
            }
        }
        return best == null
                ? Optional.empty()
                : Optional.of(new Routed(best, name.substring(best.prefix().length())));
    }

    /** The upstream whose {@code uriPrefix} starts {@code uri}, and the URI without it. */
    public static Optional<Routed> routeUri(List<McpGatewayConfig.Upstream> upstreams, String uri) {
        return upstreams.stream()
                .filter(u -> uri.startsWith(u.uriPrefix())
                        && uri.length() > u.uriPrefix().length())
                .max(Comparator.comparingInt(u -> u.uriPrefix().length()))
                .map(u -> new Routed(u, uri.substring(u.uriPrefix().length())));
    }

    /**
     * Rewrites, in place, the URIs inside one content block an upstream sent (a tool result's or a prompt message's
     * {@code content}): {@code resource_link.uri} and {@code resource.resource.uri}, so the client can read them
     * through the gateway.
     */
    public static void rewriteContent(McpGatewayConfig.Upstream upstream, JsonNode content) {
        if (!(content instanceof ObjectNode block)) {
            return;
        }
        switch (block.path("type").asString("")) {
            case "resource_link" -> prefixUri(upstream, block);
            case "resource" -> prefixUri(upstream, block.path("resource"));
            default -> {}
        }
    }

    /** Prefixes {@code node.uri} when it is a string. */
    public static void prefixUri(McpGatewayConfig.Upstream upstream, JsonNode node) {
        if (node instanceof ObjectNode object && object.path("uri").isString()) {
            object.put("uri", uri(upstream, object.path("uri").stringValue()));
        }
    }
}
