package org.a6suite.ai.internal;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.AiGatewayConfig.Mode;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.OpenAiAdapter;
import org.a6suite.ai.internal.provider.Operation;
import org.a6suite.ai.internal.provider.ProviderException;
import org.a6suite.ai.internal.provider.Usage;
import org.a6suite.ai.internal.provider.Wire;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.resilience.Deadline;
import org.a6suite.resilience.DeadlineExceededException;
import org.a6suite.resilience.Outcome;
import org.a6suite.resilience.Ticker;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Handles one request: validates it, picks and orders targets, invokes them (or rewrites for pass-through), and
 * turns the outcome into a Stop or Rewrite with accounting. Holds no per-call state in fields.
 */
public final class Gateway {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    /** Output tokens assumed for cost routing when the request sets no maximum. */
    private static final long DEFAULT_COMPLETION_ESTIMATE = 256;

    private final RuntimeRegistry runtimes;
    private final Router router;
    private final Invoker invoker;
    private final StreamingInvoker streaming;
    private final Credentials credentials;
    private final org.a6suite.http.SecretRedactor redactor;
    private final Accounting accounting;
    private final Ticker ticker;

    public Gateway(
            RuntimeRegistry runtimes,
            Router router,
            Invoker invoker,
            StreamingInvoker streaming,
            Credentials credentials,
            Accounting accounting,
            Ticker ticker) {
        this.runtimes = runtimes;
        this.router = router;
        this.invoker = invoker;
        this.streaming = streaming;
        this.credentials = credentials;
        this.redactor = new org.a6suite.http.SecretRedactor(credentials::knownSecrets);
        this.accounting = accounting;
        this.ticker = ticker;
    }

    /** What a call asked for, after validation. */
    private record Call(
            Operation operation,
            ObjectNode request,
            boolean stream,
            Optional<String> requestedModel,
            List<TargetRuntime> ordered) {}

    public CompletionStage<RequestDecision> handle(RequestView view, AiGatewayConfig config, CallContext context) {
        long start = ticker.nanoTime();
        try {
            if (config.prompt().isEmpty()
                    && view.method() == HttpMethod.GET
                    && view.path().endsWith("/models")) {
                return CompletableFuture.completedFuture(models(config));
            }
            Call call = parse(view, config);
            if (config.mode() == Mode.PASSTHROUGH) {
                return passthrough(call, config);
            }
            if (config.mode() == Mode.LANE) {
                // Validated: the lane does the work (and may stream, and take longer than APISIX waits for A6).
                return CompletableFuture.completedFuture(
                        RequestDecision.rewrite().toLane().build());
            }
            return invoke(call, config, context, start);
        } catch (ApiError.Failure failure) {
            return CompletableFuture.completedFuture(failure.error().toStop());
        }
    }

    /**
     * Serves a request handed to the runner's HTTP lane: whole answers exactly as invoke mode answers them (same
     * headers and bodies), and chat calls with {@code stream: true} as a stream relayed as the provider sends it.
     * The request is parsed again (it was validated in pre-req; parsing is cheap and the lane trusts nothing it
     * did not read). Cancelling the returned stage (the client went away before the head) aborts provider calls.
     */
    public CompletionStage<LaneResponse> lane(RequestView view, AiGatewayConfig config, CallContext context) {
        long start = ticker.nanoTime();
        try {
            if (config.prompt().isEmpty()
                    && view.method() == HttpMethod.GET
                    && view.path().endsWith("/models")) {
                return CompletableFuture.completedFuture(whole(models(config)));
            }
            Call call = parse(view, config);
            if (call.stream() && config.prompt().isEmpty()) {
                return stream(call, config, context, start);
            }
            Invoker.CallRecord record = new Invoker.CallRecord();
            CompletableFuture<Invoker.Success> inflight =
                    invoker.invoke(config, call.ordered(), call.operation(), call.request(), false, record);
            CompletableFuture<LaneResponse> result = new CompletableFuture<>();
            inflight.handle((success, error) ->
                    result.complete(whole(decide(call, config, context, start, record, success, error))));
            cancelWith(result, inflight);
            return result;
        } catch (ApiError.Failure failure) {
            return CompletableFuture.completedFuture(whole(failure.error().toStop()));
        }
    }

    private CompletionStage<LaneResponse> stream(Call call, AiGatewayConfig config, CallContext context, long start) {
        Invoker.CallRecord record = new Invoker.CallRecord();
        Deadline total = Deadline.ofTimeout(ticker, config.timeouts().total());
        CompletableFuture<StreamingInvoker.Opened> opening =
                streaming.open(config, call.ordered(), call.request(), record, total);
        CompletableFuture<LaneResponse> result = new CompletableFuture<>();
        opening.whenComplete((opened, error) -> {
            if (error != null) {
                long latency = (ticker.nanoTime() - start) / 1_000_000;
                RequestDecision decision;
                try {
                    decision = failure(call, config, context, Invoker.unwrap(error), record, latency);
                } catch (RuntimeException unexpected) {
                    decision = new ApiError(
                                    500,
                                    "internal error in the AI gateway",
                                    "server_error",
                                    Optional.empty(),
                                    "internal_error")
                            .toStop();
                }
                result.complete(whole(decision));
                return;
            }
            Target target = opened.runtime().target();
            StreamRelay relay = new StreamRelay(
                    opened,
                    new StreamRelay.CallInfo(
                            routeId(context),
                            context.requestId(),
                            call.requestedModel(),
                            call.request(),
                            record.attempts(),
                            start,
                            config.log().enabled(),
                            config.log().includeContent()),
                    accounting,
                    total,
                    ticker,
                    streaming.scheduler(),
                    redactor);
            Headers headers = Headers.of(
                    "content-type", "text/event-stream",
                    "cache-control", "no-cache",
                    "x-accel-buffering", "no",
                    "x-a6-ai-target", target.id(),
                    "x-a6-ai-provider", target.type().wireName(),
                    "x-a6-ai-model", target.model(),
                    "x-a6-ai-attempts", Integer.toString(record.attempts().size()),
                    "x-a6-ai-ttft-ms", Long.toString(opened.ttftNanos() / 1_000_000));
            if (!result.complete(LaneResponse.streamed(200, headers, relay))) {
                relay.cancel(); // the client went away as the stream was committed
            }
        });
        cancelWith(result, opening);
        result.whenComplete((v, e) -> {
            if (result.isCancelled()) {
                // The client went away before the first token: nothing was streamed, nothing more is paid.
                accounting.record(
                        new CallFacts(
                                asked(call, context),
                                Optional.empty(),
                                new CallFacts.Result(
                                        499,
                                        "cancelled",
                                        Usage.NONE,
                                        (ticker.nanoTime() - start) / 1_000_000,
                                        record.attempts()),
                                Optional.empty()),
                        config.log().enabled());
            }
        });
        return result;
    }

    /** The client going away before the head cancels the lane's stage: abort the provider work behind it. */
    private static void cancelWith(CompletableFuture<LaneResponse> result, CompletableFuture<?> work) {
        result.whenComplete((v, e) -> {
            if (result.isCancelled()) {
                work.cancel(true);
            }
        });
    }

    /** A Stop as the lane's whole answer: the same status, headers and body. */
    private static LaneResponse whole(RequestDecision decision) {
        RequestDecision.Stop stop = (RequestDecision.Stop) decision;
        Headers headers = stop.headers();
        if (!headers.contains("content-type")) {
            headers = headers.plus("content-type", "text/plain; charset=utf-8");
        }
        return LaneResponse.whole(stop.status(), headers, stop.body().orElse(Body.EMPTY));
    }

    private Call parse(RequestView view, AiGatewayConfig config) {
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
        JsonNode json;
        try {
            json = body.isEmpty() ? null : Json.MAPPER.readTree(body.toByteArray());
        } catch (tools.jackson.core.exc.StreamConstraintsException e) {
            throw ApiError.invalid(
                            "the request body is nested more than " + Json.MAX_DEPTH + " levels deep",
                            null,
                            "invalid_json")
                    .failure();
        } catch (JacksonException e) {
            throw ApiError.invalid("the request body is not valid JSON", null, "invalid_json")
                    .failure();
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
        } else if (view.path().endsWith("/chat/completions")) {
            operation = Operation.CHAT;
        } else if (view.path().endsWith("/embeddings")) {
            operation = Operation.EMBEDDINGS;
        } else {
            throw ApiError.notFound(
                            "unknown endpoint " + sanitize(view.path())
                                    + " (expected: .../chat/completions or .../embeddings)",
                            null,
                            "unknown_url")
                    .failure();
        }
        if (operation == Operation.CHAT) {
            validateChat(request);
        } else {
            validateEmbeddings(request);
        }
        JsonNode streamNode = request.get("stream");
        if (streamNode != null && !streamNode.isNull() && !streamNode.isBoolean()) {
            throw ApiError.invalid("'stream' must be a boolean", "stream", "invalid_type")
                    .failure();
        }
        boolean stream = operation == Operation.CHAT && request.path("stream").asBoolean(false);
        JsonNode modelNode = request.get("model");
        if (modelNode != null && !modelNode.isNull() && !modelNode.isString()) {
            throw ApiError.invalid("'model' must be a string", "model", "invalid_type")
                    .failure();
        }
        Optional<String> model =
                modelNode == null || modelNode.isNull() ? Optional.empty() : Optional.of(modelNode.asString());
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
        List<TargetRuntime> runtimesFor =
                eligible.stream().map(t -> runtimes.runtime(t, config)).toList();
        // Only cost routing needs a prompt estimate before the call; tokenizing is not free.
        long promptTokens = operation == Operation.CHAT && config.strategy() == AiGatewayConfig.Strategy.COST
                ? Tokens.prompt(request)
                : 0;
        long completionTokens = Wire.maxTokens(request).map(Integer::longValue).orElse(DEFAULT_COMPLETION_ESTIMATE);
        List<TargetRuntime> ordered = router.order(
                config.strategy(),
                runtimesFor,
                Invoker.operationKey(operation, stream),
                promptTokens,
                completionTokens);
        return new Call(operation, request, stream, model, ordered);
    }

    private static void validateChat(ObjectNode request) {
        JsonNode messages = request.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiError.invalid(
                            "'messages' is required and must be a non-empty array",
                            "messages",
                            "missing_required_parameter")
                    .failure();
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            if (!m.isObject() || !ROLES.contains(m.path("role").asString(""))) {
                throw ApiError.invalid(
                                "messages[" + i + "].role must be one of " + new java.util.TreeSet<>(ROLES),
                                "messages[" + i + "].role",
                                "invalid_value")
                        .failure();
            }
            JsonNode content = m.get("content");
            boolean hasToolCalls =
                    m.path("tool_calls").isArray() && !m.path("tool_calls").isEmpty();
            if (content == null || content.isNull()) {
                if (!hasToolCalls) {
                    throw ApiError.invalid(
                                    "messages[" + i + "].content is required",
                                    "messages[" + i + "].content",
                                    "missing_required_parameter")
                            .failure();
                }
            } else if (!content.isString() && !content.isArray()) {
                throw ApiError.invalid(
                                "messages[" + i + "].content must be a string or an array of parts",
                                "messages[" + i + "].content",
                                "invalid_type")
                        .failure();
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
            throw ApiError.invalid("'input' must be a string or a non-empty array of strings", "input", "invalid_value")
                    .failure();
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
                targets = config.targets().stream()
                        .filter(t -> t.model().equals(name))
                        .toList();
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

    private CompletionStage<RequestDecision> invoke(
            Call call, AiGatewayConfig config, CallContext context, long start) {
        Invoker.CallRecord record = new Invoker.CallRecord();
        return invoker.invoke(config, call.ordered(), call.operation(), call.request(), call.stream(), record)
                .handle((success, error) -> decide(call, config, context, start, record, success, error));
    }

    private RequestDecision decide(
            Call call,
            AiGatewayConfig config,
            CallContext context,
            long start,
            Invoker.CallRecord record,
            Invoker.Success success,
            Throwable error) {
        long latency = (ticker.nanoTime() - start) / 1_000_000;
        try {
            return error == null
                    ? answer(call, config, context, success, record, latency)
                    : failure(call, config, context, Invoker.unwrap(error), record, latency);
        } catch (RuntimeException unexpected) {
            // Never let a mapping bug leave the client waiting: answer a bare 500 with nothing leaked.
            return new ApiError(
                            500, "internal error in the AI gateway", "server_error", Optional.empty(), "internal_error")
                    .toStop();
        }
    }

    private RequestDecision answer(
            Call call,
            AiGatewayConfig config,
            CallContext context,
            Invoker.Success success,
            Invoker.CallRecord record,
            long latency) {
        Target target = success.runtime().target();
        ObjectNode body = success.body();
        Usage usage = Accounting.usage(call.operation(), call.request(), body);
        Wire.putUsage(body, usage);
        List<AttemptInfo> attempts = record.attempts();
        String completionText =
                body.path("choices").path(0).path("message").path("content").asString("");

        int status = 200;
        byte[] payload;
        String contentType = "application/json";
        if (config.prompt().isPresent()) {
            List<String> problems = new ArrayList<>();
            Optional<JsonNode> output = Prompts.output(config.prompt().get(), completionText, problems);
            if (output.isEmpty()) {
                status = 502;
                payload = Json.MAPPER.writeValueAsBytes(new ApiError(
                                502,
                                "model output does not match the " + "prompt's output_schema: "
                                        + String.join("; ", problems),
                                "upstream_error",
                                Optional.empty(),
                                "invalid_model_output")
                        .body());
            } else {
                payload = Json.MAPPER.writeValueAsBytes(output.get());
            }
        } else if (call.stream()) {
            payload = StreamEncoder.encode(body);
            contentType = "text/event-stream";
        } else {
            payload = Json.MAPPER.writeValueAsBytes(body);
        }
        accounting.record(
                new CallFacts(
                        asked(call, context),
                        Optional.of(
                                new CallFacts.Served(target, body.path("model").asString(target.model()))),
                        new CallFacts.Result(
                                status, status == 200 ? "success" : "invalid_output", usage, latency, attempts),
                        config.log().includeContent()
                                ? Optional.of(new CallFacts.Content(
                                        Json.MAPPER.writeValueAsString(
                                                call.request().path("messages")),
                                        completionText))
                                : Optional.empty()),
                config.log().enabled());
        RequestDecision.Stop.Builder stop = RequestDecision.stop(status).header("content-type", contentType);
        if (call.stream()) {
            stop.header("cache-control", "no-cache");
        }
        accountingHeaders(stop, target, usage, attempts, latency);
        return stop.body(Body.wrap(payload)).build();
    }

    private static void accountingHeaders(
            RequestDecision.Stop.Builder stop, Target target, Usage usage, List<AttemptInfo> attempts, long latency) {
        stop.header("x-a6-ai-target", target.id())
                .header("x-a6-ai-provider", target.type().wireName())
                .header("x-a6-ai-model", target.model())
                .header("x-a6-ai-tokens-input", Long.toString(usage.input()))
                .header("x-a6-ai-tokens-output", Long.toString(usage.output()))
                .header("x-a6-ai-tokens-estimated", Boolean.toString(usage.estimated()))
                .header("x-a6-ai-cost-usd", Accounting.cost(target, usage).toPlainString())
                .header("x-a6-ai-attempts", Integer.toString(attempts.size()))
                .header("x-a6-ai-latency-ms", Long.toString(latency));
    }

    private RequestDecision failure(
            Call call,
            AiGatewayConfig config,
            CallContext context,
            Throwable error,
            Invoker.CallRecord record,
            long latency) {
        List<AttemptInfo> attempts = record.attempts();
        ApiError apiError;
        String outcome;
        if (error instanceof ProviderException pe && pe.outcome().type() == Outcome.Type.IGNORED) {
            String message = redactor.redact(pe.providerMessage());
            String detail = message.isBlank() ? "" : ": " + message;
            apiError = ApiError.invalid("the provider rejected the request" + detail, null, "provider_rejected");
            outcome = "rejected";
        } else {
            boolean totalExpired = error instanceof DeadlineExceededException de
                    && de.scope() == DeadlineExceededException.Scope.TOTAL;
            boolean allTimeouts = !attempts.isEmpty()
                    && attempts.stream()
                            .allMatch(a -> a.isTimeout() || a.outcome().equals("cancelled"));
            boolean noneCalled = attempts.stream().noneMatch(AttemptInfo::callMade);
            int status = totalExpired || allTimeouts ? 504 : noneCalled ? 503 : 502;
            String message = status == 504
                    ? "no provider answered within the deadline"
                    : status == 503 ? "no provider is available" : "every provider failed";
            apiError = new ApiError(
                    status,
                    message,
                    "upstream_error",
                    Optional.empty(),
                    status == 504
                            ? "deadline_exceeded"
                            : status == 503 ? "no_provider_available" : "all_providers_failed");
            outcome = apiError.code();
        }
        accounting.record(
                new CallFacts(
                        asked(call, context),
                        Optional.empty(),
                        new CallFacts.Result(apiError.status(), outcome, Usage.NONE, latency, attempts),
                        Optional.empty()),
                config.log().enabled());
        ObjectNode body = apiError.body();
        ((ObjectNode) body.get("error")).set("attempts", Accounting.attempts(attempts));
        return RequestDecision.stop(apiError.status())
                .json(Json.MAPPER.writeValueAsString(body))
                .header("x-a6-ai-attempts", Integer.toString(attempts.size()))
                .header("x-a6-ai-latency-ms", Long.toString(latency))
                .build();
    }

    /** Pass-through: the first target (by strategy, open breakers last) is rewritten for APISIX to proxy. */
    private CompletionStage<RequestDecision> passthrough(Call call, AiGatewayConfig config) {
        TargetRuntime chosen = call.ordered().get(0);
        Target target = chosen.target();
        return credentials.resolve(target).handle((key, error) -> {
            if (error != null) {
                return new ApiError(
                                503,
                                "no provider is available",
                                "upstream_error",
                                Optional.empty(),
                                "no_provider_available")
                        .toStop();
            }
            String operationPath = call.operation() == Operation.CHAT
                    ? OpenAiAdapter.chatPath(target)
                    : OpenAiAdapter.embeddingsPath(target);
            URI endpoint = URI.create(target.endpoint());
            String basePath = endpoint.getPath() == null ? "" : endpoint.getPath();
            int query = operationPath.indexOf('?');
            String path = basePath + (query < 0 ? operationPath : operationPath.substring(0, query));
            ObjectNode body = call.operation() == Operation.CHAT
                    ? OpenAiAdapter.mapBody(target, call.request(), call.stream())
                    : call.request().deepCopy().put("model", target.model());
            RequestDecision.Rewrite.Builder rewrite = RequestDecision.rewrite()
                    .path(path)
                    .setHeader(config.passthrough().targetHeader(), target.id())
                    .removeHeader("authorization")
                    .removeHeader("api-key")
                    .setHeader("content-type", "application/json")
                    .body(Body.wrap(Json.MAPPER.writeValueAsBytes(body)))
                    .addResponseHeader("x-a6-ai-target", target.id())
                    .addResponseHeader("x-a6-ai-provider", target.type().wireName())
                    .addResponseHeader("x-a6-ai-model", target.model());
            OpenAiAdapter.authHeaders(target, key).forEach(rewrite::setHeader);
            if (query >= 0) {
                for (String pair : operationPath.substring(query + 1).split("&")) {
                    int eq = pair.indexOf('=');
                    rewrite.setArg(
                            pair.substring(0, eq),
                            java.net.URLDecoder.decode(
                                    pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return rewrite.build();
        });
    }

    private static RequestDecision models(AiGatewayConfig config) {
        Set<String> names = new LinkedHashSet<>();
        if (!config.allowedModels().isEmpty()) {
            names.addAll(config.allowedModels());
        } else {
            names.addAll(config.modelAliases().keySet());
            config.targets().forEach(t -> names.add(t.model()));
        }
        ObjectNode list = Json.MAPPER.createObjectNode();
        list.put("object", "list");
        ArrayNode data = list.putArray("data");
        for (String name : names) {
            data.addObject()
                    .put("id", name)
                    .put("object", "model")
                    .put("created", 0)
                    .put("owned_by", "a6-ai-gateway");
        }
        return RequestDecision.stop(200)
                .json(Json.MAPPER.writeValueAsString(list))
                .build();
    }

    /** What the client asked for, as the call log and metrics record it. */
    private static CallFacts.Request asked(Call call, CallContext context) {
        return new CallFacts.Request(
                routeId(context), context.requestId(), call.operation(), call.stream(), call.requestedModel());
    }

    private static String routeId(CallContext context) {
        return context.routeId().orElse("unknown");
    }

    /** Echoes client text into messages only after trimming it and dropping control characters. */
    private static String sanitize(String text) {
        String cleaned = text.replaceAll("\\p{Cntrl}", "");
        return cleaned.length() > 100 ? cleaned.substring(0, 100) + "..." : cleaned;
    }
}
