package org.a6suite.ai.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.AiGatewayConfig.BreakerSettings;
import org.a6suite.ai.AiGatewayConfig.CredentialRef;
import org.a6suite.ai.AiGatewayConfig.HedgeSettings;
import org.a6suite.ai.AiGatewayConfig.LogSettings;
import org.a6suite.ai.AiGatewayConfig.Mode;
import org.a6suite.ai.AiGatewayConfig.Passthrough;
import org.a6suite.ai.AiGatewayConfig.Price;
import org.a6suite.ai.AiGatewayConfig.PromptTemplate;
import org.a6suite.ai.AiGatewayConfig.ProviderType;
import org.a6suite.ai.AiGatewayConfig.RetrySettings;
import org.a6suite.ai.AiGatewayConfig.Strategy;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.AiGatewayConfig.Timeouts;
import org.a6suite.plugin.PluginConfigException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Parses and validates the route's JSON value into an {@link AiGatewayConfig}. Strict: unknown fields are errors, so
 * a typo never silently falls back to a default. Messages read {@code field: value (expected: ...)}.
 */
public final class ConfigParser {

    /** APISIX gives up on a runner reply after 60 s; in invoke mode the total deadline must leave room to answer. */
    public static final Duration MAX_TOTAL = Duration.ofSeconds(59);
    /**
     * On the lane nothing waits for one whole reply; the total deadline is a route setting (set the route's
     * {@code timeout.read} with it), bounded only to catch typos.
     */
    public static final Duration MAX_LANE_TOTAL = Duration.ofHours(24);

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern HEADER = Pattern.compile("[a-z0-9-]{1,64}");
    static final Pattern VARIABLE = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

    private ConfigParser() {
    }

    public static AiGatewayConfig parse(String value) throws PluginConfigException {
        if (value == null || value.isBlank()) {
            throw PluginConfigException.invalid("$", "\"\"", "a JSON object with at least \"targets\"");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(value);
        } catch (tools.jackson.core.exc.StreamConstraintsException e) {
            throw new PluginConfigException("$", "nested or sized beyond the limits (expected: a JSON object at most "
                    + Json.MAX_DEPTH + " levels deep)");
        } catch (JacksonException e) {
            // Some read errors carry no location (e.g. a stream constraint); never let that become an NPE.
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column "
                    + e.getLocation().getColumnNr();
            throw new PluginConfigException("$", "not valid JSON" + where + " (expected: a JSON object)");
        }
        ObjectNode obj = object(root, "$");
        allowOnly(obj, "$", "mode", "strategy", "targets", "model_aliases", "allowed_models", "timeouts", "retry",
                "breaker", "hedge", "max_body_bytes", "log", "prompt", "passthrough");

        Mode mode = enumValue(obj, "mode", Mode.class, Mode.INVOKE);
        Strategy strategy = enumValue(obj, "strategy", Strategy.class, Strategy.PRIORITY);
        List<Target> targets = targets(obj.get("targets"));
        Set<String> ids = new HashSet<>();
        for (Target t : targets) {
            ids.add(t.id());
        }
        Map<String, List<String>> aliases = aliases(obj.get("model_aliases"), ids);
        Set<String> allowed = stringSet(obj.get("allowed_models"), "allowed_models");
        Set<String> known = new HashSet<>(aliases.keySet());
        targets.forEach(t -> known.add(t.model()));
        for (String m : allowed) {
            if (!known.contains(m)) {
                throw PluginConfigException.invalid("allowed_models", quote(m),
                        "a target's model or an alias, one of " + new java.util.TreeSet<>(known));
            }
        }
        Timeouts timeouts = timeouts(obj.get("timeouts"), mode);
        RetrySettings retry = retry(obj.get("retry"));
        BreakerSettings breaker = breaker(obj.get("breaker"));
        HedgeSettings hedge = hedge(obj.get("hedge"));
        int maxBody = intValue(obj, "max_body_bytes", "$", 1_048_576, 1024, 16 * 1024 * 1024 - 1024);
        LogSettings log = log(obj.get("log"));
        Optional<PromptTemplate> prompt = obj.has("prompt") ? Optional.of(prompt(obj.get("prompt"), known))
                : Optional.empty();
        Passthrough passthrough = passthrough(obj.get("passthrough"));
        if (mode == Mode.PASSTHROUGH) {
            for (int i = 0; i < targets.size(); i++) {
                if (!targets.get(i).type().openAiShaped()) {
                    throw PluginConfigException.invalid("targets[" + i + "].type", quote(targets.get(i).type()
                            .wireName()), "an OpenAI-shaped provider in passthrough mode (openai, azure-openai,"
                            + " mistral, deepseek, openai-compatible)");
                }
            }
            if (prompt.isPresent()) {
                throw PluginConfigException.invalid("prompt", "present", "absent in passthrough mode");
            }
        }
        return new AiGatewayConfig(mode, strategy, targets, aliases, allowed, timeouts, retry, breaker, hedge,
                maxBody, log, prompt, passthrough);
    }

    private static List<Target> targets(JsonNode node) throws PluginConfigException {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw PluginConfigException.invalid("targets", describe(node), "a non-empty array of targets");
        }
        if (node.size() > 64) {
            throw PluginConfigException.invalid("targets", node.size() + " entries", "at most 64");
        }
        List<Target> targets = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "targets[" + i + "]";
            ObjectNode t = object(node.get(i), at);
            allowOnly(t, at, "id", "type", "endpoint", "model", "credentials", "price", "weight", "priority",
                    "api_version");
            String id = requiredString(t, "id", at);
            if (!ID.matcher(id).matches()) {
                throw PluginConfigException.invalid(at + ".id", quote(id), "1-64 of [A-Za-z0-9._-], starting with a"
                        + " letter or digit");
            }
            if (!ids.add(id)) {
                throw PluginConfigException.invalid(at + ".id", quote(id), "unique target ids");
            }
            String typeName = requiredString(t, "type", at);
            ProviderType type = ProviderType.fromWireName(typeName).orElseThrow(() -> PluginConfigException.invalid(
                    at + ".type", quote(typeName), "one of " + Arrays.stream(ProviderType.values())
                            .map(ProviderType::wireName).toList()));
            String endpoint = requiredString(t, "endpoint", at);
            endpoint(endpoint, at + ".endpoint");
            String model = requiredString(t, "model", at);
            Optional<CredentialRef> credentials = credentials(t.get("credentials"), at + ".credentials");
            if (credentials.isEmpty() && type.requiresCredentials()) {
                throw PluginConfigException.invalid(at + ".credentials", "absent",
                        "{\"env\": \"NAME\"} or {\"file\": \"/path\"} for provider " + type.wireName());
            }
            Price price = price(t.get("price"), at + ".price");
            int weight = intValue(t, "weight", at, 1, 1, 1000);
            int priority = intValue(t, "priority", at, 0, -1000, 1000);
            String apiVersion = optionalString(t, "api_version", at).orElse("2024-10-21");
            targets.add(new Target(id, type, stripSlash(endpoint), model, credentials, price, weight, priority,
                    apiVersion));
        }
        return targets;
    }

    private static void endpoint(String endpoint, String at) throws PluginConfigException {
        try {
            URI uri = new URI(endpoint);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null
                    || uri.getRawQuery() != null || uri.getRawUserInfo() != null) {
                throw PluginConfigException.invalid(at, quote(endpoint),
                        "an http(s) URL with a host and no query or user info, e.g. https://api.openai.com");
            }
        } catch (URISyntaxException e) {
            throw PluginConfigException.invalid(at, quote(endpoint), "a valid http(s) URL");
        }
    }

    private static Optional<CredentialRef> credentials(JsonNode node, String at) throws PluginConfigException {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isString()) {
            // Never echo the value: it may be an inline secret pasted by mistake.
            throw PluginConfigException.invalid(at, "a string (value not shown)",
                    "a reference {\"env\": \"NAME\"} or {\"file\": \"/path\"}; inline secrets are not accepted");
        }
        ObjectNode obj = object(node, at);
        allowOnly(obj, at, "env", "file");
        if (obj.size() != 1) {
            throw PluginConfigException.invalid(at, obj.size() + " fields", "exactly one of env, file");
        }
        if (obj.has("env")) {
            String name = requiredString(obj, "env", at);
            if (!ENV_NAME.matcher(name).matches()) {
                throw PluginConfigException.invalid(at + ".env", quote(name), "an environment variable name");
            }
            return Optional.of(new CredentialRef.Env(name));
        }
        String file = requiredString(obj, "file", at);
        Path path = Path.of(file);
        if (!path.isAbsolute()) {
            throw PluginConfigException.invalid(at + ".file", quote(file), "an absolute path");
        }
        return Optional.of(new CredentialRef.File(path));
    }

    private static Price price(JsonNode node, String at) throws PluginConfigException {
        if (node == null || node.isNull()) {
            return Price.FREE;
        }
        ObjectNode obj = object(node, at);
        allowOnly(obj, at, "input_per_million", "output_per_million");
        return new Price(doubleValue(obj, "input_per_million", at, 0, 0, 10_000),
                doubleValue(obj, "output_per_million", at, 0, 0, 10_000));
    }

    private static Map<String, List<String>> aliases(JsonNode node, Set<String> ids) throws PluginConfigException {
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return aliases;
        }
        ObjectNode obj = object(node, "model_aliases");
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            String at = "model_aliases." + e.getKey();
            JsonNode v = e.getValue();
            List<String> targets = new ArrayList<>();
            if (v.isString()) {
                targets.add(v.asString());
            } else if (v.isArray() && !v.isEmpty()) {
                for (JsonNode item : v) {
                    if (!item.isString()) {
                        throw PluginConfigException.invalid(at, describe(item), "target ids (strings)");
                    }
                    targets.add(item.asString());
                }
            } else {
                throw PluginConfigException.invalid(at, describe(v), "a target id or a non-empty array of ids");
            }
            for (String id : targets) {
                if (!ids.contains(id)) {
                    throw PluginConfigException.invalid(at, quote(id), "a target id, one of "
                            + new java.util.TreeSet<>(ids));
                }
            }
            aliases.put(e.getKey(), List.copyOf(new LinkedHashSet<>(targets)));
        }
        return aliases;
    }

    private static Timeouts timeouts(JsonNode node, Mode mode) throws PluginConfigException {
        ObjectNode obj = node == null ? Json.MAPPER.createObjectNode() : object(node, "timeouts");
        String at = "timeouts";
        allowOnly(obj, at, "total_ms", "attempt_percentile", "attempt_multiplier", "attempt_floor_ms",
                "attempt_ceiling_ms", "attempt_warmup_ms", "attempt_min_samples", "first_token", "token_gap");
        long max = mode == Mode.LANE ? MAX_LANE_TOTAL.toMillis() : MAX_TOTAL.toMillis();
        Duration total = millis(obj, "total_ms", at, 55_000, 100, MAX_LANE_TOTAL.toMillis());
        if (mode != Mode.LANE && obj.has("total_ms") && total.compareTo(MAX_TOTAL) > 0) {
            throw PluginConfigException.invalid(at + ".total_ms", total.toMillis(), "<= " + MAX_TOTAL.toMillis()
                    + " outside lane mode (use \"mode\": \"lane\" for longer calls)");
        }
        double percentile = doubleValue(obj, "attempt_percentile", at, 99, 50, 100);
        double multiplier = doubleValue(obj, "attempt_multiplier", at, 2, 1, 20);
        Duration floor = millis(obj, "attempt_floor_ms", at, 1_000, 10, max);
        Duration ceiling = millis(obj, "attempt_ceiling_ms", at, Math.min(50_000, total.toMillis()), 10, max);
        Duration warmup = millis(obj, "attempt_warmup_ms", at, Math.min(30_000, ceiling.toMillis()), 10, max);
        int minSamples = intValue(obj, "attempt_min_samples", at, 20, 1, 100_000);
        if (ceiling.compareTo(floor) < 0) {
            throw PluginConfigException.invalid(at + ".attempt_ceiling_ms", ceiling.toMillis(),
                    ">= attempt_floor_ms (" + floor.toMillis() + ")");
        }
        if (ceiling.compareTo(total) > 0) {
            throw PluginConfigException.invalid(at + ".attempt_ceiling_ms", ceiling.toMillis(),
                    "<= total_ms (" + total.toMillis() + ")");
        }
        if (warmup.compareTo(floor) < 0 || warmup.compareTo(ceiling) > 0) {
            throw PluginConfigException.invalid(at + ".attempt_warmup_ms", warmup.toMillis(),
                    floor.toMillis() + " <= attempt_warmup_ms <= " + ceiling.toMillis());
        }
        AiGatewayConfig.Adaptive firstToken = adaptive(obj.get("first_token"), at + ".first_token", total, 99, 3,
                Math.min(2_000, total.toMillis()), ceiling.toMillis(), warmup.toMillis(), 20);
        // A mid-stream stall cannot be retried (the answer is cut), so the gap deadline's floor is generous.
        AiGatewayConfig.Adaptive tokenGap = adaptive(obj.get("token_gap"), at + ".token_gap", total, 99.9, 5,
                Math.min(10_000, total.toMillis()), Math.min(60_000, total.toMillis()),
                Math.min(30_000, total.toMillis()), 50);
        return new Timeouts(total, percentile, multiplier, floor, ceiling, warmup, minSamples, firstToken, tokenGap);
    }

    /** A stream deadline object: the attempt deadline's fields without the {@code attempt_} prefix. */
    private static AiGatewayConfig.Adaptive adaptive(JsonNode node, String at, Duration total, double dfltPercentile,
            double dfltMultiplier, long dfltFloor, long dfltCeiling, long dfltWarmup, int dfltMinSamples)
            throws PluginConfigException {
        ObjectNode obj = node == null ? Json.MAPPER.createObjectNode() : object(node, at);
        allowOnly(obj, at, "percentile", "multiplier", "floor_ms", "ceiling_ms", "warmup_ms", "min_samples");
        long max = total.toMillis();
        double percentile = doubleValue(obj, "percentile", at, dfltPercentile, 50, 100);
        double multiplier = doubleValue(obj, "multiplier", at, dfltMultiplier, 1, 100);
        Duration floor = millis(obj, "floor_ms", at, Math.min(dfltFloor, max), 10, max);
        Duration ceiling = millis(obj, "ceiling_ms", at, Math.max(floor.toMillis(), Math.min(dfltCeiling, max)), 10,
                max);
        if (ceiling.compareTo(floor) < 0) {
            throw PluginConfigException.invalid(at + ".ceiling_ms", ceiling.toMillis(),
                    ">= floor_ms (" + floor.toMillis() + ")");
        }
        long warmupDefault = Math.max(floor.toMillis(), Math.min(dfltWarmup, ceiling.toMillis()));
        Duration warmup = millis(obj, "warmup_ms", at, warmupDefault, 10, max);
        if (warmup.compareTo(floor) < 0 || warmup.compareTo(ceiling) > 0) {
            throw PluginConfigException.invalid(at + ".warmup_ms", warmup.toMillis(),
                    floor.toMillis() + " <= warmup_ms <= " + ceiling.toMillis());
        }
        int minSamples = intValue(obj, "min_samples", at, dfltMinSamples, 1, 100_000);
        return new AiGatewayConfig.Adaptive(percentile, multiplier, floor, ceiling, warmup, minSamples);
    }

    private static RetrySettings retry(JsonNode node) throws PluginConfigException {
        ObjectNode obj = node == null ? Json.MAPPER.createObjectNode() : object(node, "retry");
        String at = "retry";
        allowOnly(obj, at, "max_attempts", "base_backoff_ms", "max_backoff_ms", "honour_retry_after",
                "max_retry_after_ms", "budget_ratio", "budget_min_per_second");
        int maxAttempts = intValue(obj, "max_attempts", at, 2, 1, 10);
        Duration base = millis(obj, "base_backoff_ms", at, 100, 0, 30_000);
        Duration max = millis(obj, "max_backoff_ms", at, Math.max(2_000, base.toMillis()), 0, 30_000);
        if (max.compareTo(base) < 0) {
            throw PluginConfigException.invalid(at + ".max_backoff_ms", max.toMillis(),
                    ">= base_backoff_ms (" + base.toMillis() + ")");
        }
        boolean honour = booleanValue(obj, "honour_retry_after", at, true);
        Duration maxRetryAfter = millis(obj, "max_retry_after_ms", at, 10_000, 0, MAX_TOTAL.toMillis());
        double ratio = doubleValue(obj, "budget_ratio", at, 0.2, 0, 10);
        double minPerSecond = doubleValue(obj, "budget_min_per_second", at, 5, 0, 100_000);
        return new RetrySettings(maxAttempts, base, max, honour, maxRetryAfter, ratio, minPerSecond);
    }

    private static BreakerSettings breaker(JsonNode node) throws PluginConfigException {
        ObjectNode obj = node == null ? Json.MAPPER.createObjectNode() : object(node, "breaker");
        String at = "breaker";
        allowOnly(obj, at, "enabled", "window_size", "minimum_calls", "failure_rate_threshold", "slow_call_ms",
                "slow_call_rate_threshold", "wait_in_open_ms", "permitted_in_half_open", "count_rate_limits");
        boolean enabled = booleanValue(obj, "enabled", at, true);
        int window = intValue(obj, "window_size", at, 50, 1, 100_000);
        int minimum = intValue(obj, "minimum_calls", at, Math.min(20, window), 1, 100_000);
        double failureRate = doubleValue(obj, "failure_rate_threshold", at, 50, 1, 100);
        Duration slow = millis(obj, "slow_call_ms", at, 60_000, 1, 3_600_000);
        double slowRate = doubleValue(obj, "slow_call_rate_threshold", at, 100, 1, 100);
        Duration wait = millis(obj, "wait_in_open_ms", at, 30_000, 1, 3_600_000);
        int halfOpen = intValue(obj, "permitted_in_half_open", at, 3, 1, 10_000);
        boolean countRateLimits = booleanValue(obj, "count_rate_limits", at, false);
        return new BreakerSettings(enabled, window, minimum, (float) failureRate, slow, (float) slowRate, wait,
                halfOpen, countRateLimits);
    }

    private static HedgeSettings hedge(JsonNode node) throws PluginConfigException {
        ObjectNode obj = node == null ? Json.MAPPER.createObjectNode() : object(node, "hedge");
        String at = "hedge";
        allowOnly(obj, at, "enabled", "percentile", "max_extra_ratio", "min_delay_ms");
        return new HedgeSettings(booleanValue(obj, "enabled", at, false),
                doubleValue(obj, "percentile", at, 95, 50, 99.9),
                doubleValue(obj, "max_extra_ratio", at, 0.1, 0, 1),
                millis(obj, "min_delay_ms", at, 200, 0, MAX_TOTAL.toMillis()));
    }

    private static LogSettings log(JsonNode node) throws PluginConfigException {
        ObjectNode obj = node == null ? Json.MAPPER.createObjectNode() : object(node, "log");
        allowOnly(obj, "log", "enabled", "include_content");
        return new LogSettings(booleanValue(obj, "enabled", "log", true),
                booleanValue(obj, "include_content", "log", false));
    }

    private static Passthrough passthrough(JsonNode node) throws PluginConfigException {
        ObjectNode obj = node == null ? Json.MAPPER.createObjectNode() : object(node, "passthrough");
        allowOnly(obj, "passthrough", "target_header");
        String header = optionalString(obj, "target_header", "passthrough").orElse("x-a6-ai-target");
        if (!HEADER.matcher(header).matches()) {
            throw PluginConfigException.invalid("passthrough.target_header", quote(header),
                    "a lower-case header name of [a-z0-9-]");
        }
        return new Passthrough(header);
    }

    private static PromptTemplate prompt(JsonNode node, Set<String> knownModels) throws PluginConfigException {
        String at = "prompt";
        ObjectNode obj = object(node, at);
        allowOnly(obj, at, "system", "template", "input_schema", "output_schema", "model", "temperature",
                "max_tokens");
        String template = requiredString(obj, "template", at);
        Set<String> variables = new LinkedHashSet<>();
        Matcher m = VARIABLE.matcher(template);
        while (m.find()) {
            variables.add(m.group(1));
        }
        Optional<JsonNode> input = schema(obj.get("input_schema"), at + ".input_schema");
        Optional<JsonNode> output = schema(obj.get("output_schema"), at + ".output_schema");
        Optional<String> model = optionalString(obj, "model", at);
        if (model.isPresent() && !knownModels.contains(model.get())) {
            throw PluginConfigException.invalid(at + ".model", quote(model.get()),
                    "a target's model or an alias, one of " + new java.util.TreeSet<>(knownModels));
        }
        Optional<Double> temperature = obj.has("temperature")
                ? Optional.of(doubleValue(obj, "temperature", at, 1, 0, 2)) : Optional.empty();
        Optional<Integer> maxTokens = obj.has("max_tokens")
                ? Optional.of(intValue(obj, "max_tokens", at, 256, 1, 1_000_000)) : Optional.empty();
        return new PromptTemplate(optionalString(obj, "system", at), template, variables, input, output, model,
                temperature, maxTokens);
    }

    private static Optional<JsonNode> schema(JsonNode node, String at) throws PluginConfigException {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        object(node, at);
        try {
            Schemas.compile(node);
        } catch (RuntimeException e) {
            throw PluginConfigException.invalid(at, "an invalid schema (" + e.getMessage() + ")",
                    "a JSON Schema (draft 2020-12) object");
        }
        return Optional.of(node.deepCopy());
    }

    // ---- small typed readers -----------------------------------------------------------------------------------

    private static ObjectNode object(JsonNode node, String at) throws PluginConfigException {
        if (node == null || !node.isObject()) {
            throw PluginConfigException.invalid(at, describe(node), "a JSON object");
        }
        return (ObjectNode) node;
    }

    private static void allowOnly(ObjectNode obj, String at, String... names) throws PluginConfigException {
        Set<String> allowed = Set.of(names);
        for (String name : obj.propertyNames()) {
            if (!allowed.contains(name)) {
                String path = at.equals("$") ? name : at + "." + name;
                throw PluginConfigException.invalid(path, "unknown field", "one of " + new java.util.TreeSet<>(
                        allowed));
            }
        }
    }

    private static String requiredString(ObjectNode obj, String name, String at) throws PluginConfigException {
        JsonNode v = obj.get(name);
        String path = at.equals("$") ? name : at + "." + name;
        if (v == null || !v.isString() || v.asString().isBlank()) {
            throw PluginConfigException.invalid(path, describe(v), "a non-empty string");
        }
        return v.asString();
    }

    private static Optional<String> optionalString(ObjectNode obj, String name, String at)
            throws PluginConfigException {
        return obj.has(name) ? Optional.of(requiredString(obj, name, at)) : Optional.empty();
    }

    private static int intValue(ObjectNode obj, String name, String at, int dflt, int min, int max)
            throws PluginConfigException {
        JsonNode v = obj.get(name);
        if (v == null) {
            return dflt;
        }
        String path = at.equals("$") ? name : at + "." + name;
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw PluginConfigException.invalid(path, describe(v), "an integer in [" + min + ", " + max + "]");
        }
        return v.asInt();
    }

    private static double doubleValue(ObjectNode obj, String name, String at, double dflt, double min, double max)
            throws PluginConfigException {
        JsonNode v = obj.get(name);
        if (v == null) {
            return dflt;
        }
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max || Double.isNaN(v.asDouble())) {
            throw PluginConfigException.invalid(at + "." + name, describe(v), "a number in [" + min + ", " + max
                    + "]");
        }
        return v.asDouble();
    }

    private static boolean booleanValue(ObjectNode obj, String name, String at, boolean dflt)
            throws PluginConfigException {
        JsonNode v = obj.get(name);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw PluginConfigException.invalid(at + "." + name, describe(v), "true or false");
        }
        return v.asBoolean();
    }

    private static Duration millis(ObjectNode obj, String name, String at, long dflt, long min, long max)
            throws PluginConfigException {
        JsonNode v = obj.get(name);
        if (v == null) {
            return Duration.ofMillis(dflt);
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw PluginConfigException.invalid(at + "." + name, describe(v), "milliseconds in [" + min + ", "
                    + max + "]");
        }
        return Duration.ofMillis(v.asLong());
    }

    private static <E extends Enum<E>> E enumValue(ObjectNode obj, String name, Class<E> type, E dflt)
            throws PluginConfigException {
        JsonNode v = obj.get(name);
        if (v == null) {
            return dflt;
        }
        List<String> names = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT))
                .toList();
        if (v.isString() && names.contains(v.asString())) {
            return Enum.valueOf(type, v.asString().toUpperCase(Locale.ROOT));
        }
        throw PluginConfigException.invalid(name, describe(v), "one of " + names);
    }

    private static Set<String> stringSet(JsonNode node, String at) throws PluginConfigException {
        Set<String> set = new LinkedHashSet<>();
        if (node == null || node.isNull()) {
            return set;
        }
        if (!node.isArray()) {
            throw PluginConfigException.invalid(at, describe(node), "an array of strings");
        }
        for (JsonNode item : node) {
            if (!item.isString() || item.asString().isBlank()) {
                throw PluginConfigException.invalid(at, describe(item), "non-empty strings");
            }
            set.add(item.asString());
        }
        return set;
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "absent";
        }
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array of " + node.size();
        }
        String text = node.toString();
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }
}
