package org.a6suite.ai;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.a6suite.ai.internal.ConfigBinding;
import org.a6suite.ai.internal.ConfigRules;
import org.a6suite.ai.internal.StreamDeadlines;
import org.a6suite.config.InvalidFieldException;
import org.a6suite.resilience.BreakerConfig;
import tools.jackson.databind.JsonNode;

/**
 * The validated, immutable configuration of one route's {@code ai-gateway} entry. Built once per PrepareConf by
 * {@link AiGatewayPlugin#parseConfig(String)}: the value is checked against the plugin's JSON Schema
 * ({@code schemas/ai-gateway.json} in this jar), then bound into these records, whose constructors check what a
 * schema cannot (unique ids, aliases naming targets, the total deadline per mode). Every field is documented in
 * {@code docs/plugins/ai-gateway.md}.
 *
 * <p>This file is the model only: one small record per object of the schema, nested so that plugin code and tests
 * name them as {@code AiGatewayConfig.Target} etc. The checks live in {@link ConfigRules}; the defaults derived from
 * other fields and the values computed while binding live in {@link ConfigBinding}.
 *
 * @param mode          {@link Mode#LANE} (recommended: the runner calls providers on its HTTP lane and streams),
 *                      {@link Mode#INVOKE} (the runner calls providers and answers through A6; the parse default) or
 *                      {@link Mode#PASSTHROUGH}
 * @param strategy      how targets are ordered for a call
 * @param targets       the providers, at least one, ids unique
 * @param modelAliases  a name a client may ask for, mapped to the ids of the targets that serve it
 * @param allowedModels model names (or aliases) clients may ask for; empty means every configured name
 * @param timeouts      the total deadline and the adaptive attempt deadline
 * @param retry         retries of one target
 * @param breaker       the circuit breaker kept per target (provider and model)
 * @param hedge         optional hedging onto the next target
 * @param maxBodyBytes  largest accepted request body; larger gives 413
 * @param log           call-log settings
 * @param prompt        a prompt template that turns this route into a REST endpoint, if present
 * @param passthrough   pass-through settings (only used in {@link Mode#PASSTHROUGH})
 */
public record AiGatewayConfig(
        Mode mode,
        Strategy strategy,
        List<Target> targets,
        Map<String, List<String>> modelAliases,
        Set<String> allowedModels,
        Timeouts timeouts,
        RetrySettings retry,
        BreakerSettings breaker,
        HedgeSettings hedge,
        int maxBodyBytes,
        LogSettings log,
        Optional<PromptTemplate> prompt,
        Passthrough passthrough) {

    /** APISIX gives up on a runner reply after 60 s; in invoke mode the total deadline must leave room to answer. */
    public static final Duration MAX_TOTAL = Duration.ofSeconds(59);

    public AiGatewayConfig {
        requireNonNull(mode, "mode");
        requireNonNull(strategy, "strategy");
        targets = List.copyOf(targets);
        requireNonNull(timeouts, "timeouts");
        requireNonNull(retry, "retry");
        requireNonNull(breaker, "breaker");
        requireNonNull(hedge, "hedge");
        requireNonNull(log, "log");
        requireNonNull(prompt, "prompt");
        requireNonNull(passthrough, "passthrough");
        modelAliases = ConfigRules.checkRoute(mode, targets, modelAliases, allowedModels, timeouts, prompt);
        allowedModels = Set.copyOf(allowedModels);
    }

    /** Finds a target by id. */
    public Optional<Target> target(String id) {
        return targets.stream().filter(t -> t.id().equals(id)).findFirst();
    }

    /**
     * Whether the runner calls providers itself and answers through A6 ({@code INVOKE}: whole answers, at most 59 s),
     * calls them on its HTTP lane ({@code LANE}: streams relayed as they arrive, no 59 s ceiling; the route's
     * upstream must be the lane), or rewrites the request for APISIX to proxy ({@code PASSTHROUGH}).
     */
    public enum Mode {
        INVOKE,
        LANE,
        PASSTHROUGH
    }

    /** How the eligible targets are ordered; later targets are the fallbacks. */
    public enum Strategy {
        PRIORITY,
        WEIGHTED,
        LATENCY,
        COST
    }

    /** The provider wire formats the plugin speaks. */
    public enum ProviderType {
        OPENAI("openai"),
        AZURE_OPENAI("azure-openai"),
        ANTHROPIC("anthropic"),
        GEMINI("gemini"),
        MISTRAL("mistral"),
        OLLAMA("ollama"),
        DEEPSEEK("deepseek"),
        OPENAI_COMPATIBLE("openai-compatible");

        private final String wireName;

        ProviderType(String wireName) {
            this.wireName = wireName;
        }

        /** The name used in configuration, e.g. {@code azure-openai}. */
        @JsonValue
        public String wireName() {
            return wireName;
        }

        public static Optional<ProviderType> fromWireName(String name) {
            for (ProviderType t : values()) {
                if (t.wireName.equals(name)) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }

        /** Whether the provider speaks OpenAI's chat completions format (so pass-through mode can use it). */
        public boolean openAiShaped() {
            return this == OPENAI
                    || this == AZURE_OPENAI
                    || this == MISTRAL
                    || this == DEEPSEEK
                    || this == OPENAI_COMPATIBLE;
        }

        /** Whether an API key is required. */
        public boolean requiresCredentials() {
            return this != OLLAMA && this != OPENAI_COMPATIBLE;
        }
    }

    /**
     * One provider target.
     *
     * @param id          unique within the route; used in headers, logs, metrics and pass-through matching
     * @param type        the provider wire format
     * @param endpoint    base URL without a trailing slash, e.g. {@code https://api.openai.com}
     * @param model       the provider's model name (Azure: the deployment name)
     * @param credentials where the API key comes from; empty for providers that need none
     * @param price       USD per million tokens
     * @param weight      relative share under {@link Strategy#WEIGHTED}, 1..1000
     * @param priority    lower goes first under {@link Strategy#PRIORITY}
     * @param apiVersion  Azure's {@code api-version} query value
     * @throws InvalidFieldException for an endpoint that is no http(s) URL with a host
     */
    public record Target(
            String id,
            ProviderType type,
            String endpoint,
            String model,
            Optional<CredentialRef> credentials,
            Price price,
            int weight,
            int priority,
            String apiVersion) {
        public Target {
            requireNonNull(id, "id");
            requireNonNull(type, "type");
            requireNonNull(endpoint, "endpoint");
            requireNonNull(model, "model");
            requireNonNull(credentials, "credentials");
            requireNonNull(price, "price");
            requireNonNull(apiVersion, "apiVersion");
            ConfigRules.checkEndpoint(endpoint);
            endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        }

        /** The key of this target's breaker, latency window and retry budget: provider, endpoint and model. */
        public String stateKey() {
            return id + "|" + type.wireName() + "|" + endpoint + "|" + model;
        }
    }

    /** A reference to a secret, never the secret itself: {@code {"env": "NAME"}} or {@code {"file": "/path"}}. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.DEDUCTION)
    @JsonSubTypes({@JsonSubTypes.Type(CredentialRef.Env.class), @JsonSubTypes.Type(CredentialRef.File.class)})
    public sealed interface CredentialRef {
        /** The secret is the value of environment variable {@code name} of the runner process. */
        record Env(@JsonProperty("env") String name) implements CredentialRef {
            public Env {
                requireNonNull(name, "name");
            }
        }

        /** The secret is the content of {@code path}, surrounding whitespace trimmed. */
        record File(Path path) implements CredentialRef {
            public File {
                requireNonNull(path, "path");
            }

            @JsonCreator
            static File of(@JsonProperty("file") String file) {
                return new File(ConfigRules.absolutePath(file));
            }
        }
    }

    /** Prices in USD per million tokens; zero when unknown (cost is then reported as 0). */
    public record Price(double inputPerMillion, double outputPerMillion) {
        public static final Price FREE = new Price(0, 0);
    }

    /**
     * Deadlines. The total covers every attempt, retry, backoff and fallback; in invoke mode it stays below APISIX's
     * 60 s runner read timeout, in lane mode it may be up to 24 h. Each attempt's deadline is
     * {@code clamp(multiplier x pN, floor, ceiling)} of that target's observed latencies, or {@code warmup} until
     * {@code minSamples} are known, and never past the total. Streams (lane mode, {@code stream: true}) have two more
     * adaptive deadlines of the same shape: {@code firstToken} (from sending the request to the first content chunk;
     * it replaces the attempt deadline for streams) and {@code tokenGap} (the longest provider silence between two
     * reads once the stream is committed).
     */
    public record Timeouts(
            Duration total,
            double percentile,
            double multiplier,
            Duration floor,
            Duration ceiling,
            Duration warmup,
            int minSamples,
            Adaptive firstToken,
            Adaptive tokenGap) {
        public Timeouts {
            requireNonNull(total, "total");
            requireNonNull(floor, "floor");
            requireNonNull(ceiling, "ceiling");
            requireNonNull(warmup, "warmup");
            requireNonNull(firstToken, "firstToken");
            requireNonNull(tokenGap, "tokenGap");
            ConfigRules.checkAttempt(total, floor, ceiling, warmup);
        }

        /** Binds the {@code timeouts} object, with the defaults of {@link ConfigBinding#timeouts}. */
        @JsonCreator
        static Timeouts of(
                @JsonProperty("total_ms") Duration total,
                @JsonProperty("attempt_percentile") double percentile,
                @JsonProperty("attempt_multiplier") double multiplier,
                @JsonProperty("attempt_floor_ms") Duration floor,
                @JsonProperty("attempt_ceiling_ms") Duration ceiling,
                @JsonProperty("attempt_warmup_ms") Duration warmup,
                @JsonProperty("attempt_min_samples") int minSamples,
                @JsonProperty("first_token") StreamDeadlines.Given firstToken,
                @JsonProperty("token_gap") StreamDeadlines.Given tokenGap) {
            return ConfigBinding.timeouts(
                    total, percentile, multiplier, floor, ceiling, warmup, minSamples, firstToken, tokenGap);
        }

        /** The attempt deadline's settings as an {@link Adaptive}. */
        public Adaptive attempt() {
            return new Adaptive(percentile, multiplier, floor, ceiling, warmup, minSamples);
        }
    }

    /** One adaptive deadline: {@code clamp(multiplier x pN, floor, ceiling)}, {@code warmup} until min samples. */
    public record Adaptive(
            double percentile, double multiplier, Duration floor, Duration ceiling, Duration warmup, int minSamples) {
        public Adaptive {
            requireNonNull(floor, "floor");
            requireNonNull(ceiling, "ceiling");
            requireNonNull(warmup, "warmup");
        }
    }

    /** Retries of one target before falling back to the next; a budget caps retries to a share of calls. */
    public record RetrySettings(
            int maxAttempts,
            @JsonProperty("base_backoff_ms") Duration baseBackoff,
            @JsonProperty("max_backoff_ms") Duration maxBackoff,
            boolean honourRetryAfter,
            @JsonProperty("max_retry_after_ms") Duration maxRetryAfter,
            double budgetRatio,
            double budgetMinPerSecond) {
        /** {@code maxBackoff} null (left out of the value): the larger of 2 s and {@code baseBackoff}. */
        public RetrySettings {
            requireNonNull(baseBackoff, "baseBackoff");
            maxBackoff = ConfigBinding.maxBackoff(baseBackoff, maxBackoff);
            requireNonNull(maxRetryAfter, "maxRetryAfter");
            ConfigRules.checkBackoff(baseBackoff, maxBackoff);
        }
    }

    /**
     * The circuit breaker per target; {@code enabled=false} turns it off. A 429 is the provider asking for a pause,
     * not a failure of the target: it counts toward the breaker only with {@code countRateLimits}.
     */
    public record BreakerSettings(
            boolean enabled,
            BreakerConfig.WindowType windowType,
            int windowSize,
            int minimumCalls,
            float failureRateThreshold,
            @JsonProperty("slow_call_ms") Duration slowCall,
            float slowCallRateThreshold,
            @JsonProperty("wait_in_open_ms") Duration waitInOpen,
            int permittedInHalfOpen,
            boolean countRateLimits) {
        public BreakerSettings {
            requireNonNull(windowType, "windowType");
            requireNonNull(slowCall, "slowCall");
            requireNonNull(waitInOpen, "waitInOpen");
        }
    }

    /**
     * Hedging: when the current target has not answered after its observed {@code percentile} latency, the next
     * target is started too and the first success wins; {@code maxExtraRatio} caps hedges to that share of calls.
     */
    public record HedgeSettings(
            boolean enabled,
            double percentile,
            double maxExtraRatio,
            @JsonProperty("min_delay_ms") Duration minDelay) {
        public HedgeSettings {
            requireNonNull(minDelay, "minDelay");
        }
    }

    /** Call-log settings; prompt and completion text are logged only when {@code includeContent}. */
    public record LogSettings(boolean enabled, boolean includeContent) {}

    /** Pass-through mode: the request header APISIX's traffic-split matches to pick the target's upstream. */
    public record Passthrough(String targetHeader) {
        public Passthrough {
            requireNonNull(targetHeader, "targetHeader");
        }
    }

    /**
     * A prompt published as a REST endpoint: the request body is a JSON object of variables, checked against
     * {@code inputSchema}, substituted into {@code template} ({@code {{name}}}); the answer is the model's text, or,
     * with {@code outputSchema}, the model's JSON checked against it.
     */
    public record PromptTemplate(
            Optional<String> system,
            String template,
            Set<String> variables,
            Optional<JsonNode> inputSchema,
            Optional<JsonNode> outputSchema,
            Optional<String> model,
            Optional<Double> temperature,
            Optional<Integer> maxTokens) {
        public PromptTemplate {
            requireNonNull(system, "system");
            requireNonNull(template, "template");
            variables = Set.copyOf(variables);
            requireNonNull(inputSchema, "inputSchema");
            requireNonNull(outputSchema, "outputSchema");
            requireNonNull(model, "model");
            requireNonNull(temperature, "temperature");
            requireNonNull(maxTokens, "maxTokens");
        }

        /** Binds the {@code prompt} object (see {@link ConfigBinding#prompt}). */
        @JsonCreator
        static PromptTemplate of(
                @JsonProperty("system") Optional<String> system,
                @JsonProperty("template") String template,
                @JsonProperty("input_schema") Optional<JsonNode> inputSchema,
                @JsonProperty("output_schema") Optional<JsonNode> outputSchema,
                @JsonProperty("model") Optional<String> model,
                @JsonProperty("temperature") Optional<Double> temperature,
                @JsonProperty("max_tokens") Optional<Integer> maxTokens) {
            return ConfigBinding.prompt(system, template, inputSchema, outputSchema, model, temperature, maxTokens);
        }
    }
}
