package org.a6suite.mcp.internal;

import com.networknt.schema.Schema;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.a6suite.mcp.McpGatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Validates a federated tool's arguments against the input schema its upstream published, at the gateway, before the
 * call is forwarded, as for REST tools; and makes an upstream's tool errors readable for the client: its own tool
 * name becomes the prefixed one the client called, and a leading Java exception class name is dropped.
 *
 * <p>Schemas come from the upstream's {@code tools/list} answer, compiled once per (upstream, tool, schema text) and
 * kept per runner (1 000 entries, LRU). A schema that does not compile is not enforced (the upstream still checks);
 * a tool the catalog does not list is forwarded and the upstream answers for it.
 */
public final class FederatedToolSchemas {

    private static final Logger LOG = LoggerFactory.getLogger(FederatedToolSchemas.class);
    /** {@code java.lang.IllegalStateException: }, {@code io.modelcontextprotocol.spec.McpError: } ... */
    private static final Pattern CLASS_PREFIX =
            Pattern.compile("^(?:[a-z_][A-Za-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error|Throwable)(?::\\s*|$)");

    private final BoundedCache<String, Optional<Schema>> compiled = new BoundedCache<>(1_000);
    private final BoundedCache<String, Published> published = new BoundedCache<>(10_000);

    /**
     * A published input schema and, once a call needed it, its validator: the schema's text (the key of
     * {@link #compiled}) is written once per published schema, not on every call.
     */
    private final class Published {
        private final JsonNode schema;
        /** Null until first needed; a race computes it twice at worst, to the same value. */
        private volatile Optional<Schema> validator;

        Published(JsonNode schema) {
            this.schema = schema;
        }

        Optional<Schema> validator() {
            Optional<Schema> v = validator;
            if (v == null) {
                v = compile(schema);
                validator = v;
            }
            return v;
        }
    }

    /**
     * The violations of {@code args} against {@code tool}'s published input schema (empty when they conform or the
     * schema is unknown). {@code catalog} supplies the upstream's prefixed tool list when this runner has not seen it.
     */
    public CompletionStage<List<String>> violations(
            McpGatewayConfig.Upstream upstream,
            String tool,
            ObjectNode args,
            Supplier<CompletionStage<List<ObjectNode>>> catalog) {
        String key = upstream.name() + "|" + upstream.url() + "|" + tool;
        Optional<Published> schema = published.get(key);
        CompletionStage<Optional<Published>> known = schema.isPresent()
                ? CompletableFuture.completedFuture(schema)
                : catalog.get()
                        .thenApply(tools -> {
                            remember(upstream, tools);
                            return published.get(key);
                        })
                        .exceptionally(e -> Optional.empty());
        return known.thenApply(s -> s.flatMap(Published::validator)
                .map(v -> JsonSchemas.violations(v, args))
                .orElse(List.of()));
    }

    /** Records the input schemas of an upstream's tools, as listed to clients (with the upstream's prefix). */
    public void remember(McpGatewayConfig.Upstream upstream, List<ObjectNode> prefixedTools) {
        for (ObjectNode t : prefixedTools) {
            String name = t.path("name").asString("");
            if (name.startsWith(upstream.prefix()) && t.path("inputSchema").isObject()) {
                published.put(
                        upstream.name() + "|" + upstream.url() + "|"
                                + name.substring(upstream.prefix().length()),
                        new Published(t.get("inputSchema")));
            }
        }
    }

    private Optional<Schema> compile(JsonNode schema) {
        String key = schema.toString();
        Optional<Optional<Schema>> cached = compiled.get(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        Optional<Schema> result;
        try {
            result = Optional.of(JsonSchemas.compile(schema));
        } catch (RuntimeException e) {
            LOG.warn(
                    "mcp-gateway: an upstream tool's input schema does not compile ({}); not enforced at the gateway",
                    Outbound.describe(e));
            result = Optional.empty();
        }
        compiled.put(key, result);
        return result;
    }

    /**
     * An upstream's error text as the client should read it: without a leading Java exception class name, and with
     * the upstream's own tool name replaced by the one the client called.
     */
    public static String readable(String message, String upstreamTool, String clientTool) {
        String text = message == null ? "" : message.strip();
        Matcher m = CLASS_PREFIX.matcher(text);
        while (m.find()) {
            text = text.substring(m.end()).strip();
            m = CLASS_PREFIX.matcher(text);
        }
        if (text.isEmpty()) {
            text = "the upstream failed without a message";
        }
        if (!upstreamTool.isEmpty() && !upstreamTool.equals(clientTool)) {
            text = text.replaceAll(
                    "(?<![A-Za-z0-9_.-])" + Pattern.quote(upstreamTool) + "(?![A-Za-z0-9_.-])",
                    Matcher.quoteReplacement(clientTool));
        }
        return text;
    }
}
