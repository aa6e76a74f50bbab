package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;
import static org.a6suite.mcp.internal.FederatedCalls.done;
import static org.a6suite.mcp.internal.FederatedCalls.failure;
import static org.a6suite.mcp.internal.FederatedCalls.upstreamError;
import static org.a6suite.mcp.internal.FederatedFeatures.RESOURCE_NOT_FOUND;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.config.RestPrompt;
import org.a6suite.mcp.internal.FederatedFeatures.Context;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.resilience.Ticker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The federated methods that name one target ({@code resources/read}, {@code resources/subscribe},
 * {@code resources/unsubscribe}, {@code prompts/get}, {@code completion/complete}): routed by the prefixed URI or name
 * to the route's own REST resource or prompt, or to the one upstream that owns it. A target hidden by the access rules
 * is answered exactly like one that does not exist.
 */
final class FederatedTargets {

    private final FederatedCalls calls;
    private final ObjectMapper mapper;
    private final Ticker ticker;
    private final Optional<RestFeatures> rest;

    FederatedTargets(FederatedCalls calls) {
        this.calls = requireNonNull(calls, "calls");
        this.mapper = calls.mapper;
        this.ticker = calls.ticker;
        this.rest = calls.rest;
    }

    /** A request routed to one upstream. */
    private record Target(
            ServerFeature feature,
            String subject,
            Optional<FederatedNames.Routed> routed,
            Function<FederatedNames.Routed, ObjectNode> forward,
            JsonRpcError notFound,
            Optional<JsonNode> whenUnsupported,
            BiConsumer<McpGatewayConfig.Upstream, JsonNode> rewrite) {}

    CompletionStage<JsonRpcMessage.Response> byUri(
            Context ctx,
            JsonRpcMessage.Request r,
            ObjectNode params,
            ServerFeature feature,
            BiConsumer<McpGatewayConfig.Upstream, JsonNode> rewrite) {
        JsonNode uri = params.path("uri");
        if (!uri.isString() || uri.stringValue().isEmpty()) {
            return done(failure(
                    r,
                    JsonRpcError.invalidParams(
                            r.method() + ": params.uri missing (expected: a " + "resource URI string)")));
        }
        String subject = uri.stringValue();
        ObjectNode data = mapper.createObjectNode().put("uri", subject);
        Optional<RestFeatures.Match> local = rest.flatMap(x -> RestFeatures.find(ctx.config(), subject));
        if (local.isPresent()) {
            return readLocal(
                    ctx,
                    r,
                    local.get(),
                    new JsonRpcError(RESOURCE_NOT_FOUND, "resource not found: " + subject, Optional.of(data)));
        }
        return routed(
                ctx,
                r,
                new Target(
                        feature,
                        subject,
                        FederatedNames.routeUri(ctx.config().upstreams(), subject),
                        routed -> params.deepCopy().put("uri", routed.local()),
                        new JsonRpcError(RESOURCE_NOT_FOUND, "resource not found: " + subject, Optional.of(data)),
                        Optional.empty(),
                        rewrite));
    }

    CompletionStage<JsonRpcMessage.Response> prompt(Context ctx, JsonRpcMessage.Request r, ObjectNode params) {
        JsonNode name = params.path("name");
        if (!name.isString() || name.stringValue().isEmpty()) {
            return done(failure(
                    r,
                    JsonRpcError.invalidParams(
                            "prompts/get: params.name missing (expected: a " + "prompt name string)")));
        }
        JsonNode arguments = params.path("arguments");
        if (!arguments.isMissingNode() && !arguments.isNull() && !arguments.isObject()) {
            return done(failure(r, JsonRpcError.invalidParams("prompts/get: arguments must be an object")));
        }
        String subject = name.stringValue();
        Optional<RestPrompt> local = rest.flatMap(x -> RestFeatures.prompt(ctx.config(), subject));
        if (local.isPresent()) {
            ObjectNode args = arguments.isObject() ? (ObjectNode) arguments : mapper.createObjectNode();
            return local(
                    ctx,
                    r,
                    subject,
                    JsonRpcError.invalidParams("unknown prompt: " + subject),
                    () -> rest.get()
                            .get(
                                    ctx.config(),
                                    local.get(),
                                    args,
                                    uri -> ctx.config().access().permits(ctx.principal(), uri)));
        }
        return routed(
                ctx,
                r,
                new Target(
                        ServerFeature.PROMPTS,
                        subject,
                        FederatedNames.routeName(ctx.config().upstreams(), subject),
                        routed -> params.deepCopy().put("name", routed.local()),
                        JsonRpcError.invalidParams("unknown prompt: " + subject),
                        Optional.empty(),
                        (u, result) -> result.path("messages")
                                .forEach(m -> FederatedNames.rewriteContent(u, m.path("content")))));
    }

    CompletionStage<JsonRpcMessage.Response> complete(Context ctx, JsonRpcMessage.Request r, ObjectNode params) {
        JsonNode ref = params.path("ref");
        String type = ref.path("type").asString("");
        String member = switch (type) {
            case "ref/prompt" -> "name";
            case "ref/resource" -> "uri";
            default -> "";
        };
        if (member.isEmpty()
                || !ref.path(member).isString()
                || !params.path("argument").isObject()) {
            return done(failure(
                    r,
                    JsonRpcError.invalidParams("completion/complete: params need ref {type: "
                            + "ref/prompt, name} or {type: ref/resource, uri} and an argument object")));
        }
        String subject = ref.path(member).stringValue();
        // The route's own prompts and templates offer no completions: the spec's empty answer.
        ObjectNode none = mapper.createObjectNode();
        none.putObject("completion").put("hasMore", false).putArray("values");
        boolean isLocal = rest.isPresent()
                && (member.equals("name")
                        ? RestFeatures.prompt(ctx.config(), subject).isPresent()
                        : ctx.config().resources().stream()
                                .anyMatch(x -> x.key().equals(subject)));
        if (isLocal) {
            return local(
                    ctx,
                    r,
                    subject,
                    JsonRpcError.invalidParams("completion/complete: unknown " + type + ": " + subject),
                    () -> CompletableFuture.completedFuture(none));
        }
        Optional<FederatedNames.Routed> routed = member.equals("name")
                ? FederatedNames.routeName(ctx.config().upstreams(), subject)
                : FederatedNames.routeUri(ctx.config().upstreams(), subject);
        // An upstream that offers no completions has none for this argument: the spec's empty answer, not an error.
        return routed(
                ctx,
                r,
                new Target(
                        ServerFeature.COMPLETIONS,
                        subject,
                        routed,
                        to -> {
                            ObjectNode copy = params.deepCopy();
                            ((ObjectNode) copy.get("ref")).put(member, to.local());
                            return copy;
                        },
                        JsonRpcError.invalidParams("completion/complete: unknown " + type + ": " + subject),
                        Optional.of(none),
                        (u, result) -> {}));
    }

    private CompletionStage<JsonRpcMessage.Response> routed(Context ctx, JsonRpcMessage.Request r, Target target) {
        if (calls.offering(ctx, target.feature()).isEmpty()) {
            return done(failure(r, JsonRpcError.methodNotFound(r.method())));
        }
        if (target.routed().isEmpty() || !ctx.config().access().permits(ctx.principal(), target.subject())) {
            // A target the consumer may not use is reported exactly like one that does not exist.
            calls.record(ctx, r, "none", target.subject(), "not_found", -1);
            return done(failure(r, target.notFound()));
        }
        Optional<JsonRpcError> limited = calls.rateLimit(ctx, r, target.subject());
        if (limited.isPresent()) {
            return done(failure(r, limited.get()));
        }
        FederatedNames.Routed routed = target.routed().get();
        McpGatewayConfig.Upstream upstream = routed.upstream();
        long started = ticker.nanoTime();
        return calls.ask(
                        ctx,
                        upstream,
                        target.feature(),
                        r.method(),
                        target.forward().apply(routed))
                .handle((result, error) -> {
                    double seconds = calls.seconds(started);
                    if (error != null) {
                        JsonRpcError e = upstreamError(r.method(), upstream, error);
                        calls.record(
                                ctx,
                                r,
                                upstream.name(),
                                target.subject(),
                                switch (e.code()) {
                                    case JsonRpcError.INVALID_PARAMS -> "invalid_params";
                                    case RESOURCE_NOT_FOUND -> "not_found";
                                    default -> "error";
                                },
                                seconds);
                        return failure(r, e);
                    }
                    if (result.isEmpty()) {
                        calls.record(ctx, r, upstream.name(), target.subject(), "unsupported", seconds);
                        return target.whenUnsupported()
                                .map(a -> JsonRpcMessage.Response.success(r.id(), a))
                                .orElseGet(() -> failure(r, target.notFound()));
                    }
                    if (!result.get().isObject()) {
                        calls.record(ctx, r, upstream.name(), target.subject(), "error", seconds);
                        return failure(
                                r,
                                JsonRpcError.internalError(r.method() + " via upstream " + upstream.name()
                                        + " failed: the result is not an object"));
                    }
                    target.rewrite().accept(upstream, result.get());
                    calls.record(ctx, r, upstream.name(), target.subject(), "ok", seconds);
                    return JsonRpcMessage.Response.success(r.id(), result.get());
                });
    }

    // ---------------------------------------------------------------- the route's own resources and prompts

    private CompletionStage<JsonRpcMessage.Response> readLocal(
            Context ctx, JsonRpcMessage.Request r, RestFeatures.Match match, JsonRpcError notFound) {
        if (!r.method().equals("resources/read")) {
            // Allowed to know it exists (access below would hide it), but REST sends no update notifications.
            if (!ctx.config().access().permits(ctx.principal(), match.uri())) {
                calls.record(ctx, r, "none", match.uri(), "not_found", -1);
                return done(failure(r, notFound));
            }
            calls.record(ctx, r, "rest", match.uri(), "unsupported", -1);
            return done(failure(
                    r,
                    JsonRpcError.invalidParams(r.method() + ": " + match.uri() + " is a REST resource, "
                            + "which sends no update notifications")));
        }
        return local(ctx, r, match.uri(), notFound, () -> rest.get().read(ctx.config(), match));
    }

    /**
     * Serves a request for one of the route's own resources or prompts with the same governance as an upstream's:
     * access (a hidden target answers like an unknown one), rate limit, metrics and call log ({@code upstream=rest}).
     */
    private CompletionStage<JsonRpcMessage.Response> local(
            Context ctx,
            JsonRpcMessage.Request r,
            String subject,
            JsonRpcError notFound,
            java.util.function.Supplier<CompletionStage<ObjectNode>> action) {
        if (!ctx.config().access().permits(ctx.principal(), subject)) {
            calls.record(ctx, r, "none", subject, "not_found", -1);
            return done(failure(r, notFound));
        }
        Optional<JsonRpcError> limited = calls.rateLimit(ctx, r, subject);
        if (limited.isPresent()) {
            return done(failure(r, limited.get()));
        }
        long started = ticker.nanoTime();
        return action.get().handle((result, error) -> {
            double seconds = calls.seconds(started);
            if (error != null) {
                Throwable cause = Outbound.cause(error);
                JsonRpcError e = cause instanceof RestFeatures.Failure f
                        ? f.error()
                        : JsonRpcError.internalError(r.method() + " failed: " + Outbound.describe(cause));
                calls.record(
                        ctx,
                        r,
                        "rest",
                        subject,
                        switch (e.code()) {
                            case JsonRpcError.INVALID_PARAMS -> "invalid_params";
                            case RESOURCE_NOT_FOUND -> "not_found";
                            default -> "error";
                        },
                        seconds);
                return failure(r, e);
            }
            calls.record(ctx, r, "rest", subject, "ok", seconds);
            return JsonRpcMessage.Response.success(r.id(), result);
        });
    }
}
