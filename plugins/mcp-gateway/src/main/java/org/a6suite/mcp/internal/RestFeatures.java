package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.config.RestPrompt;
import org.a6suite.mcp.config.RestResource;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The route's own resources and prompts: read-only REST endpoints as MCP resources ({@link RestResource}) and prompt
 * templates ({@link RestPrompt}). {@link FederatedFeatures} merges them with the upstreams' and applies the same
 * access rules, rate limits, metrics and call log; this class only describes, reads and renders them.
 *
 * <p>A read is one GET through {@link RestToolInvoker#fetch} (the tools' SSRF checks, deadline, retries for
 * idempotent calls, breaker). Its answer becomes one {@code contents} entry for the requested URI: text when the type
 * is textual (JSON, XML, {@code text/*}), else a base64 {@code blob}. A 404 is MCP's {@code -32002 resource not found};
 * another failure is {@code -32603} naming the backend and the reason.
 */
public final class RestFeatures {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_.-]+)}");

    private final ObjectMapper mapper;
    private final RestToolInvoker invoker;

    public RestFeatures(ObjectMapper mapper, RestToolInvoker invoker) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.invoker = requireNonNull(invoker, "invoker");
    }

    /** A request refused or failed with a JSON-RPC error. */
    public static final class Failure extends RuntimeException {
        private final transient JsonRpcError error;

        Failure(JsonRpcError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }

        public JsonRpcError error() {
            return error;
        }
    }

    /** A resource a URI names, with the backend arguments taken from it. */
    public record Match(RestResource resource, String uri, Map<String, String> arguments) {}

    // ---------------------------------------------------------------- descriptions

    /** {@code resources/list} items: the fixed-URI resources. */
    public static List<ObjectNode> resources(ObjectMapper mapper, McpGatewayConfig config) {
        List<ObjectNode> out = new ArrayList<>();
        for (RestResource r : config.resources()) {
            r.uri().ifPresent(uri -> out.add(describe(mapper, r, "uri", uri)));
        }
        return out;
    }

    /** {@code resources/templates/list} items. */
    public static List<ObjectNode> templates(ObjectMapper mapper, McpGatewayConfig config) {
        List<ObjectNode> out = new ArrayList<>();
        for (RestResource r : config.resources()) {
            r.template().ifPresent(t -> out.add(describe(mapper, r, "uriTemplate", t.text())));
        }
        return out;
    }

    private static ObjectNode describe(ObjectMapper mapper, RestResource r, String key, String value) {
        ObjectNode node = mapper.createObjectNode();
        node.put(key, value);
        node.put("name", r.name());
        r.title().ifPresent(t -> node.put("title", t));
        r.description().ifPresent(d -> node.put("description", d));
        r.mimeType().ifPresent(m -> node.put("mimeType", m));
        return node;
    }

    /** {@code prompts/list} items. */
    public static List<ObjectNode> prompts(ObjectMapper mapper, McpGatewayConfig config) {
        List<ObjectNode> out = new ArrayList<>();
        for (RestPrompt p : config.prompts()) {
            ObjectNode node = mapper.createObjectNode();
            node.put("name", p.name());
            p.title().ifPresent(t -> node.put("title", t));
            p.description().ifPresent(d -> node.put("description", d));
            ArrayNode args = node.putArray("arguments");
            for (RestPrompt.Argument a : p.arguments()) {
                ObjectNode arg = args.addObject().put("name", a.name());
                a.description().ifPresent(d -> arg.put("description", d));
                arg.put("required", a.required());
            }
            out.add(node);
        }
        return out;
    }

    /** The resource {@code uri} names: a fixed URI, else the first template it expands. */
    public static Optional<Match> find(McpGatewayConfig config, String uri) {
        for (RestResource r : config.resources()) {
            Optional<Map<String, String>> args = r.match(uri);
            if (args.isPresent()) {
                return Optional.of(new Match(r, uri, args.get()));
            }
        }
        return Optional.empty();
    }

    public static Optional<RestPrompt> prompt(McpGatewayConfig config, String name) {
        return config.prompts().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    // ---------------------------------------------------------------- reads

    /** {@code resources/read}: the ReadResourceResult, or a stage failed with {@link Failure}. */
    public CompletionStage<ObjectNode> read(McpGatewayConfig config, Match match) {
        RestResource resource = match.resource();
        McpGatewayConfig.Backend backend =
                config.backends().get(resource.fetch().backend());
        ObjectNode args = mapper.createObjectNode();
        match.arguments().forEach(args::put);
        return invoker.fetch(resource.fetch(), backend, args, config.maxResultBytes())
                .handle((reply, error) -> {
                    if (error != null) {
                        Throwable cause = Outbound.cause(error);
                        throw new CompletionException(new Failure(
                                cause instanceof RestToolInvoker.BadArgumentException
                                        ? JsonRpcError.invalidParams("resources/read: " + cause.getMessage())
                                        : JsonRpcError.internalError("resources/read via backend " + backend.name()
                                                + " failed: "
                                                + RestToolInvoker.describe(backend, cause, config.maxResultBytes()))));
                    }
                    return contents(resource, backend, match.uri(), reply);
                });
    }

    private ObjectNode contents(
            RestResource resource, McpGatewayConfig.Backend backend, String uri, Outbound.Reply reply) {
        if (reply.status() == 404) {
            throw new CompletionException(new Failure(new JsonRpcError(
                    FederatedFeatures.RESOURCE_NOT_FOUND,
                    "resource not found: " + uri,
                    Optional.of(mapper.createObjectNode().put("uri", uri)))));
        }
        if (reply.status() >= 300) {
            String snippet = RestToolInvoker.snippet(backend, reply.body());
            throw new CompletionException(new Failure(JsonRpcError.internalError("resources/read via backend "
                    + backend.name() + " failed: HTTP " + reply.status() + (snippet.isBlank() ? "" : ": " + snippet))));
        }
        String answered = reply.headers()
                .firstValue("content-type")
                .orElse("")
                .split(";", 2)[0]
                .strip()
                .toLowerCase(Locale.ROOT);
        String mimeType = resource.mimeType().orElse(answered.isEmpty() ? "application/octet-stream" : answered);
        byte[] body = reply.body();
        String text = null;
        if (resource.fetch().responsePointer().isPresent()) {
            try {
                JsonNode selected = mapper.readTree(body)
                        .at(JsonPointer.compile(
                                resource.fetch().responsePointer().get()));
                if (selected.isMissingNode()) {
                    throw new CompletionException(new Failure(JsonRpcError.internalError("resources/read via backend "
                            + backend.name() + " failed: the answer has nothing at "
                            + resource.fetch().responsePointer().get())));
                }
                text = selected.isString() ? selected.stringValue() : mapper.writeValueAsString(selected);
            } catch (JacksonException e) {
                throw new CompletionException(new Failure(JsonRpcError.internalError("resources/read via backend "
                        + backend.name() + " failed: the answer is not JSON (the resource selects "
                        + resource.fetch().responsePointer().get() + ")")));
            }
        }
        ObjectNode result = mapper.createObjectNode();
        ObjectNode content =
                result.putArray("contents").addObject().put("uri", uri).put("mimeType", mimeType);
        if (text != null) {
            content.put("text", text);
        } else if (textual(mimeType) || textual(answered)) {
            content.put("text", new String(body, java.nio.charset.StandardCharsets.UTF_8));
        } else {
            content.put("blob", Base64.getEncoder().encodeToString(body));
        }
        return result;
    }

    private static boolean textual(String mimeType) {
        return mimeType.startsWith("text/")
                || mimeType.contains("json")
                || mimeType.contains("xml")
                || mimeType.contains("yaml");
    }

    // ---------------------------------------------------------------- prompts

    /**
     * {@code prompts/get}: the messages with placeholders filled; an embedded resource is read now (through
     * {@code readAllowed}, which applies access rules to its URI). A missing required argument is {@code -32602}.
     */
    public CompletionStage<ObjectNode> get(
            McpGatewayConfig config,
            RestPrompt prompt,
            ObjectNode arguments,
            java.util.function.Predicate<String> readAllowed) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (RestPrompt.Argument a : prompt.arguments()) {
            JsonNode v = arguments.path(a.name());
            if (v.isMissingNode() || v.isNull()) {
                if (a.required()) {
                    return CompletableFuture.failedFuture(new Failure(JsonRpcError.invalidParams(
                            "prompts/get: " + "argument " + a.name() + " is required by prompt " + prompt.name())));
                }
                values.put(a.name(), "");
            } else {
                values.put(a.name(), v.isString() ? v.stringValue() : v.toString());
            }
        }
        List<CompletableFuture<ObjectNode>> contents = new ArrayList<>();
        for (RestPrompt.Message m : prompt.messages()) {
            if (m.text().isPresent()) {
                ObjectNode text = mapper.createObjectNode()
                        .put("type", "text")
                        .put("text", fill(m.text().get(), values));
                contents.add(CompletableFuture.completedFuture(text));
                continue;
            }
            String uri = m.resourceUri()
                    .orElseGet(() -> m.resourceTemplate().orElseThrow().expand(values));
            Optional<Match> match = find(config, uri).filter(x -> readAllowed.test(uri));
            if (match.isEmpty()) {
                return CompletableFuture.failedFuture(new Failure(new JsonRpcError(
                        FederatedFeatures.RESOURCE_NOT_FOUND,
                        "resource not found: " + uri,
                        Optional.of(mapper.createObjectNode().put("uri", uri)))));
            }
            contents.add(read(config, match.get())
                    .thenApply(result -> {
                        ObjectNode embedded = mapper.createObjectNode().put("type", "resource");
                        embedded.set("resource", result.path("contents").get(0));
                        return embedded;
                    })
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(contents.toArray(CompletableFuture[]::new))
                .thenApply(v -> {
                    ObjectNode result = mapper.createObjectNode();
                    prompt.description().ifPresent(d -> result.put("description", d));
                    ArrayNode messages = result.putArray("messages");
                    for (int i = 0; i < contents.size(); i++) {
                        messages.addObject()
                                .put("role", prompt.messages().get(i).role())
                                .set("content", contents.get(i).join());
                    }
                    return result;
                });
    }

    private static String fill(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(m.group(1), "")));
        }
        m.appendTail(out);
        return out.toString();
    }
}
