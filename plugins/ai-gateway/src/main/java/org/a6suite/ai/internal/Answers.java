package org.a6suite.ai.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.EncodedChat;
import org.a6suite.ai.internal.provider.ProviderException;
import org.a6suite.ai.internal.provider.Usage;
import org.a6suite.ai.internal.provider.Wire;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.resilience.DeadlineExceededException;
import org.a6suite.resilience.Outcome;
import org.a6suite.resilience.Ticker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a finished whole call into the client's answer: the provider's answer (or a prompt's output) with the
 * accounting headers, or an OpenAI-shaped error with the attempts; either way the call is accounted once. Also the
 * route's model list ({@code GET .../models}).
 */
final class Answers {

    private final Accounting accounting;
    private final org.a6suite.http.SecretRedactor redactor;
    private final Ticker ticker;

    Answers(Accounting accounting, org.a6suite.http.SecretRedactor redactor, Ticker ticker) {
        this.accounting = accounting;
        this.redactor = redactor;
        this.ticker = ticker;
    }

    RequestDecision decide(
            ParsedCall call,
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
            ParsedCall call,
            AiGatewayConfig config,
            CallContext context,
            Invoker.Success success,
            Invoker.CallRecord record,
            long latency) {
        Target target = success.runtime().target();
        if (success.encoded() != null) {
            return encoded(call, config, context, target, success.encoded(), record, latency);
        }
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
        BigDecimal cost = accounting.record(
                new CallFacts(
                        asked(call, context),
                        Optional.of(
                                new CallFacts.Served(target, body.path("model").asString(target.model()))),
                        new CallFacts.Result(
                                status, status == 200 ? "success" : "invalid_output", usage, latency, attempts),
                        config.log().includeContent()
                                ? Optional.of(new CallFacts.Content(
                                        Json.MAPPER.writeValueAsString(
                                                call.request().tree().path("messages")),
                                        completionText))
                                : Optional.empty()),
                config.log().enabled());
        RequestDecision.Stop.Builder stop = RequestDecision.stop(status).header("content-type", contentType);
        if (call.stream()) {
            stop.header("cache-control", "no-cache");
        }
        accountingHeaders(stop, target, usage, cost, attempts, latency);
        return stop.body(Body.wrap(payload)).build();
    }

    /** A whole chat answer written in one pass ({@link org.a6suite.ai.internal.provider.OpenAiAnswer}). */
    private RequestDecision encoded(
            ParsedCall call,
            AiGatewayConfig config,
            CallContext context,
            Target target,
            EncodedChat answer,
            Invoker.CallRecord record,
            long latency) {
        List<AttemptInfo> attempts = record.attempts();
        Usage usage = answer.usage();
        BigDecimal cost = accounting.record(
                new CallFacts(
                        asked(call, context),
                        Optional.of(new CallFacts.Served(target, answer.reportedModel())),
                        new CallFacts.Result(200, "success", usage, latency, attempts),
                        Optional.empty()),
                config.log().enabled());
        RequestDecision.Stop.Builder stop = RequestDecision.stop(200).header("content-type", "application/json");
        accountingHeaders(stop, target, usage, cost, attempts, latency);
        return stop.body(Body.wrap(answer.json())).build();
    }

    private static void accountingHeaders(
            RequestDecision.Stop.Builder stop,
            Target target,
            Usage usage,
            BigDecimal cost,
            List<AttemptInfo> attempts,
            long latency) {
        stop.header("x-a6-ai-target", target.id())
                .header("x-a6-ai-provider", target.type().wireName())
                .header("x-a6-ai-model", target.model())
                .header("x-a6-ai-tokens-input", Long.toString(usage.input()))
                .header("x-a6-ai-tokens-output", Long.toString(usage.output()))
                .header("x-a6-ai-tokens-estimated", Boolean.toString(usage.estimated()))
                .header("x-a6-ai-cost-usd", cost.toPlainString())
                .header("x-a6-ai-attempts", Integer.toString(attempts.size()))
                .header("x-a6-ai-latency-ms", Long.toString(latency));
    }

    RequestDecision failure(
            ParsedCall call,
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

    static RequestDecision models(AiGatewayConfig config) {
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
    static CallFacts.Request asked(ParsedCall call, CallContext context) {
        return new CallFacts.Request(
                routeId(context), context.requestId(), call.operation(), call.stream(), call.requestedModel());
    }

    static String routeId(CallContext context) {
        return context.routeId().orElse("unknown");
    }
}
