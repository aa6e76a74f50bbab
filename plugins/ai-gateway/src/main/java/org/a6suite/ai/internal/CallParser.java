package org.a6suite.ai.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.ClientBody;
import org.a6suite.ai.internal.provider.Operation;
import org.a6suite.ai.internal.provider.Wire;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.RequestView;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads and validates a client request into a {@link ParsedCall}: method, size, JSON, endpoint, the fields the
 * gateway relies on, the model (alias, allow list), and the eligible targets in the route strategy's order. Errors
 * are OpenAI-shaped ({@link ApiError}) and name the field.
 */
final class CallParser {

    static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    /** Output tokens assumed for cost routing when the request sets no maximum. */
    private static final long DEFAULT_COMPLETION_ESTIMATE = 256;

    private final RuntimeRegistry runtimes;
    private final Router router;

    CallParser(RuntimeRegistry runtimes, Router router) {
        this.runtimes = runtimes;
        this.router = router;
    }

    ParsedCall parse(RequestView view, AiGatewayConfig config) {
        if (view.method() != HttpMethod.POST) {
            throw new ApiError(
                            405,
                            "only POST is supported here",
                            "invalid_request_error",
                            Optional.empty(),
                            "method_not_allowed")
                    .failure();
        }
        Body body = view.body().orElse(Body.EMPTY);
        if (body.size() > config.maxBodyBytes()) {
            throw new ApiError(
                            413,
                            "request body is " + body.size() + " bytes; the limit is " + config.maxBodyBytes(),
                            "invalid_request_error",
                            Optional.empty(),
                            "request_too_large")
                    .failure();
        }
        Operation operation = config.prompt().isPresent() ? Operation.CHAT : operation(view.path());
        RequestScan.Facts facts =
                operation == null || config.prompt().isPresent() ? null : RequestScan.scan(body, operation);
        if (facts == null) {
            facts = treePath(view, body, config);
        }
        boolean stream = facts.stream();
        Optional<String> model = facts.model();
        if (model.isEmpty() && config.prompt().isEmpty()) {
            // OpenAI answers 400 here too; serving a default target would hide a client bug. A prompt route
            // takes its model from configuration (or uses every target), so only there may it be absent.
            throw ApiError.invalid(
                            "you must provide a model parameter (expected: a model or alias this route "
                                    + "serves, listed by GET .../models)",
                            "model",
                            "missing_required_parameter")
                    .failure();
        }
        List<Target> eligible = eligible(config, model, operation);
        List<TargetRuntime> runtimesFor = new ArrayList<>(eligible.size());
        for (Target target : eligible) {
            runtimesFor.add(runtimes.runtime(target, config));
        }
        // Only cost routing needs a prompt estimate before the call; tokenizing is not free.
        long promptTokens = operation == Operation.CHAT && config.strategy() == AiGatewayConfig.Strategy.COST
                ? Tokens.prompt(facts.body().tree())
                : 0;
        long completionTokens = facts.maxTokens().map(Integer::longValue).orElse(DEFAULT_COMPLETION_ESTIMATE);
        List<TargetRuntime> ordered = router.order(
                config.strategy(),
                runtimesFor,
                Invoker.operationKey(operation, stream),
                promptTokens,
                completionTokens);
        return new ParsedCall(operation, facts.body(), stream, model, ordered);
    }

    /** The endpoint's operation, or {@code null} for a path that is neither (an error, after the body's JSON). */
    private static Operation operation(String path) {
        if (path.endsWith("/chat/completions")) {
            return Operation.CHAT;
        }
        return path.endsWith("/embeddings") ? Operation.EMBEDDINGS : null;
    }

    /**
     * Reads the body into a tree and checks it there: prompt routes (their template renders a tree), unknown
     * endpoints, and bodies {@link RequestScan} leaves to this path. Same errors, in the same order, as the scan.
     */
    static RequestScan.Facts treePath(RequestView view, Body body, AiGatewayConfig config) {
        JsonNode json;
        try {
            // Read through a stream over the body's own bytes: toByteArray() would copy the whole request first.
            json = body.isEmpty() ? null : Json.MAPPER.readTree(body.inputStream());
        } catch (tools.jackson.core.exc.StreamConstraintsException e) {
            throw tooDeep();
        } catch (JacksonException e) {
            throw notJson();
        }
        if (json == null || !json.isObject()) {
            throw ApiError.invalid("the request body must be a JSON object", null, "invalid_json")
                    .failure();
        }
        ObjectNode request = (ObjectNode) json;
        Operation operation;
        if (config.prompt().isPresent()) {
            request = Prompts.render(config.prompt().get(), request);
            operation = Operation.CHAT;
        } else {
            operation = operation(view.path());
            if (operation == null) {
                throw ApiError.notFound(
                                "unknown endpoint " + sanitize(view.path())
                                        + " (expected: .../chat/completions or .../embeddings)",
                                null,
                                "unknown_url")
                        .failure();
            }
        }
        if (operation == Operation.CHAT) {
            validateChat(request);
        } else {
            validateEmbeddings(request);
        }
        JsonNode streamNode = request.get("stream");
        if (streamNode != null && !streamNode.isNull() && !streamNode.isBoolean()) {
            throw streamNotBoolean();
        }
        boolean stream = operation == Operation.CHAT && request.path("stream").asBoolean(false);
        JsonNode modelNode = request.get("model");
        if (modelNode != null && !modelNode.isNull() && !modelNode.isString()) {
            throw modelNotString();
        }
        Optional<String> model =
                modelNode == null || modelNode.isNull() ? Optional.empty() : Optional.of(modelNode.asString());
        String limit = request.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        JsonNode limitNode = request.get(limit);
        if (limitNode != null && limitNode.isIntegralNumber() && !limitNode.canConvertToInt()) {
            throw tokenLimitTooLarge(limit);
        }
        return new RequestScan.Facts(ClientBody.ofTree(request), stream, model, Wire.maxTokens(request));
    }

    static ApiError.Failure tooDeep() {
        return ApiError.invalid(
                        "the request body is nested more than " + Json.MAX_DEPTH + " levels deep", null, "invalid_json")
                .failure();
    }

    static ApiError.Failure notJson() {
        return ApiError.invalid("the request body is not valid JSON", null, "invalid_json")
                .failure();
    }

    static ApiError.Failure messagesMissing() {
        return ApiError.invalid(
                        "'messages' is required and must be a non-empty array",
                        "messages",
                        "missing_required_parameter")
                .failure();
    }

    static ApiError roleInvalid(int i) {
        return ApiError.invalid(
                "messages[" + i + "].role must be one of " + new java.util.TreeSet<>(ROLES),
                "messages[" + i + "].role",
                "invalid_value");
    }

    static ApiError contentMissing(int i) {
        return ApiError.invalid(
                "messages[" + i + "].content is required", "messages[" + i + "].content", "missing_required_parameter");
    }

    static ApiError contentInvalid(int i) {
        return ApiError.invalid(
                "messages[" + i + "].content must be a string or an array of parts",
                "messages[" + i + "].content",
                "invalid_type");
    }

    static ApiError.Failure inputInvalid() {
        return ApiError.invalid("'input' must be a string or a non-empty array of strings", "input", "invalid_value")
                .failure();
    }

    static ApiError.Failure streamNotBoolean() {
        return ApiError.invalid("'stream' must be a boolean", "stream", "invalid_type")
                .failure();
    }

    /** A token limit beyond 32 bits: no model takes that many, and the adapters read limits as {@code int}. */
    static ApiError.Failure tokenLimitTooLarge(String field) {
        return ApiError.invalid(
                        "'" + field + "' must be an integer of at most " + Integer.MAX_VALUE, field, "invalid_value")
                .failure();
    }

    static ApiError.Failure modelNotString() {
        return ApiError.invalid("'model' must be a string", "model", "invalid_type")
                .failure();
    }

    private static void validateChat(ObjectNode request) {
        JsonNode messages = request.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw messagesMissing();
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (!m.isObject() || !ROLES.contains(m.path("role").asString(""))) {
                throw roleInvalid(i).failure();
            }
            JsonNode content = m.get("content");
            boolean hasToolCalls =
                    m.path("tool_calls").isArray() && !m.path("tool_calls").isEmpty();
            if (content == null || content.isNull()) {
                if (!hasToolCalls) {
                    throw contentMissing(i).failure();
                }
            } else if (!content.isString() && !content.isArray()) {
                throw contentInvalid(i).failure();
            }
        }
    }

    private static void validateEmbeddings(ObjectNode request) {
        JsonNode input = request.get("input");
        boolean ok = input != null && (input.isString() || input.isArray() && !input.isEmpty());
        if (ok && input.isArray()) {
            for (JsonNode item : input) {
                ok &= item.isString();
            }
        }
        if (!ok) {
            throw inputInvalid();
        }
    }

    /** The targets that may serve {@code model}: an alias's targets, the targets of that model, or all. */
    static List<Target> eligible(AiGatewayConfig config, Optional<String> model, Operation operation) {
        List<Target> targets;
        if (model.isEmpty()) {
            targets = new ArrayList<>(config.targets());
        } else {
            String name = model.get();
            if (!config.allowedModels().isEmpty() && !config.allowedModels().contains(name)) {
                boolean known = config.modelAliases().containsKey(name)
                        || config.targets().stream().anyMatch(t -> t.model().equals(name));
                if (known) {
                    throw ApiError.invalid(
                                    "model '" + sanitize(name) + "' is not allowed on this route",
                                    "model",
                                    "model_not_allowed")
                            .failure();
                }
                throw ApiError.notFound("model '" + sanitize(name) + "' does not exist", "model", "model_not_found")
                        .failure();
            }
            if (config.modelAliases().containsKey(name)) {
                targets = config.modelAliases().get(name).stream()
                        .map(id -> config.target(id).orElseThrow())
                        .toList();
            } else {
                targets = new ArrayList<>(1);
                for (Target target : config.targets()) {
                    if (target.model().equals(name)) {
                        targets.add(target);
                    }
                }
            }
            if (targets.isEmpty()) {
                throw ApiError.notFound("model '" + sanitize(name) + "' does not exist", "model", "model_not_found")
                        .failure();
            }
        }
        if (operation == Operation.EMBEDDINGS) {
            targets = targets.stream()
                    .filter(t -> org.a6suite.ai.internal.provider.Adapters.of(t.type())
                            .supportsEmbeddings())
                    .toList();
            if (targets.isEmpty()) {
                throw ApiError.notFound(
                                "no target of model '" + sanitize(model.orElse("")) + "' supports " + "embeddings",
                                "model",
                                "model_not_found")
                        .failure();
            }
        }
        return targets;
    }

    /** Echoes client text into messages only after trimming it and dropping control characters. */
    static String sanitize(String text) {
        String cleaned = text.replaceAll("\\p{Cntrl}", "");
        return cleaned.length() > 100 ? cleaned.substring(0, 100) + "..." : cleaned;
    }
}
