package org.a6suite.optimizer.service;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.a6suite.optimizer.etcd.Etcd;
import org.a6suite.optimizer.etcd.EtcdMirror;
import org.a6suite.optimizer.etcd.KeyValue;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.Policy;
import org.a6suite.optimizer.policy.PolicyCodec;
import org.a6suite.optimizer.writer.Baselines;
import org.a6suite.optimizer.writer.Decision;
import org.a6suite.optimizer.writer.UpstreamWriter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The optimizer's own state in etcd, read from the mirror (so every replica sees the same) and written directly:
 * <pre>
 * &lt;state&gt;/policies/default                partial policy over the configured default
 * &lt;state&gt;/policies/&lt;kind&gt;/&lt;id&gt;            partial policy over the default
 * &lt;state&gt;/paused/&lt;kind&gt;/&lt;id&gt;              {"reason": ..., "at_ms": ...}: no automatic changes
 * &lt;state&gt;/baseline/&lt;kind&gt;/&lt;id&gt;            operator weights before the optimizer's changes
 * &lt;state&gt;/history/&lt;kind&gt;/&lt;id&gt;/&lt;at&gt;-&lt;uuid&gt;  applied decisions
 * &lt;state&gt;/leader                         the election
 * </pre>
 */
public final class OptimizerState {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final EtcdMirror mirror;
    private final Client client;
    private final Policy configuredDefault;
    private volatile CachedDefault cachedDefault;
    private final java.util.concurrent.ConcurrentSkipListMap<String, Parsed> decisions =
            new java.util.concurrent.ConcurrentSkipListMap<>();

    public OptimizerState(EtcdMirror mirror, Client client, Policy configuredDefault) {
        this.mirror = requireNonNull(mirror, "mirror");
        this.client = requireNonNull(client, "client");
        this.configuredDefault = requireNonNull(configuredDefault, "configuredDefault");
    }

    /** The default policy: configuration, then the stored default overrides. */
    public Policy defaultPolicy() {
        long revision =
                mirror.state("policies/default").map(KeyValue::modRevision).orElse(0L);
        CachedDefault cached = cachedDefault;
        if (cached != null && cached.revision() == revision) {
            return cached.policy();
        }
        Policy merged = PolicyCodec.merge(configuredDefault, defaultOverrides(), "");
        cachedDefault = new CachedDefault(revision, merged);
        return merged;
    }

    private record CachedDefault(long revision, Policy policy) {}

    public ObjectNode defaultOverrides() {
        return overrides("policies/default");
    }

    public ObjectNode overrides(UpstreamRef ref) {
        return overrides("policies/" + ref.key());
    }

    public Policy policy(UpstreamRef ref) {
        if (mirror.state("policies/" + ref.key()).isEmpty()) {
            return defaultPolicy();
        }
        return PolicyCodec.merge(defaultPolicy(), overrides(ref), "");
    }

    /** Validates and stores the default policy's overrides; returns the new default. */
    public Policy putDefault(JsonNode overrides) {
        Policy merged = PolicyCodec.merge(configuredDefault, overrides, "");
        put("policies/default", JSON.writeValueAsString(overrides));
        return merged;
    }

    /** Validates and stores one upstream's overrides; returns its effective policy. */
    public Policy putPolicy(UpstreamRef ref, JsonNode overrides) {
        Policy merged = PolicyCodec.merge(defaultPolicy(), overrides, "");
        put("policies/" + ref.key(), JSON.writeValueAsString(overrides));
        return merged;
    }

    public void deletePolicy(UpstreamRef ref) {
        delete("policies/" + ref.key());
    }

    public Optional<JsonNode> pause(UpstreamRef ref) {
        return mirror.state("paused/" + ref.key()).map(kv -> read(kv.value()));
    }

    public void pause(UpstreamRef ref, String reason, long atMs) {
        ObjectNode n = JSON.createObjectNode();
        n.put("reason", reason);
        n.put("at_ms", atMs);
        put("paused/" + ref.key(), JSON.writeValueAsString(n));
    }

    public void resume(UpstreamRef ref) {
        delete("paused/" + ref.key());
    }

    public Optional<KeyValue> baseline(UpstreamRef ref) {
        return mirror.state(Baselines.key(ref.key()));
    }

    /** Decisions of one upstream, newest first. */
    public List<Decision> history(UpstreamRef ref) {
        return history("history/" + ref.key() + "/");
    }

    /** All decisions, newest first, at most {@code limit}. */
    public List<Decision> history(int limit) {
        return history("history/").stream().limit(limit).toList();
    }

    private List<Decision> history(String prefix) {
        List<KeyValue> entries = mirror.stateUnder(prefix);
        // Forget pruned records: only keys under this prefix, so the cost stays per upstream.
        java.util.Set<String> present =
                entries.stream().map(KeyValue::key).collect(java.util.stream.Collectors.toSet());
        decisions.subMap(prefix, prefix + Character.MAX_VALUE).keySet().retainAll(present);
        return entries.stream()
                .map(this::decision)
                .flatMap(Optional::stream)
                .sorted(Comparator.comparingLong(Decision::atMs).reversed().thenComparing(Decision::id))
                .toList();
    }

    /** Parses a history record once per version: the loop reads every upstream's history every interval. */
    private Optional<Decision> decision(KeyValue kv) {
        Parsed cached = decisions.get(kv.key());
        if (cached != null && cached.modRevision() == kv.modRevision()) {
            return cached.decision();
        }
        Optional<Decision> parsed;
        try {
            parsed = Optional.of(JSON.treeToValue(LegacyNames.toSnakeCase(JSON.readTree(kv.value())), Decision.class));
        } catch (RuntimeException e) {
            parsed = Optional.empty();
        }
        decisions.put(kv.key(), new Parsed(kv.modRevision(), parsed));
        return parsed;
    }

    private record Parsed(long modRevision, Optional<Decision> decision) {}

    private ObjectNode overrides(String key) {
        return mirror.state(key)
                .map(kv -> read(kv.value()))
                .filter(JsonNode::isObject)
                .map(n -> (ObjectNode) n)
                .orElseGet(JSON::createObjectNode);
    }

    private static JsonNode read(String value) {
        try {
            return LegacyNames.toSnakeCase(JSON.readTree(value));
        } catch (RuntimeException e) {
            return JSON.createObjectNode();
        }
    }

    private void put(String key, String value) {
        try {
            client.getKVClient()
                    .put(Etcd.bytes(mirror.statePrefix() + key), Etcd.bytes(value))
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamWriter.EtcdUnavailableException("interrupted", e);
        } catch (Exception e) {
            throw new UpstreamWriter.EtcdUnavailableException(e.toString(), e);
        }
    }

    private void delete(String key) {
        try {
            client.getKVClient()
                    .delete(Etcd.bytes(mirror.statePrefix() + key))
                    .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamWriter.EtcdUnavailableException("interrupted", e);
        } catch (Exception e) {
            throw new UpstreamWriter.EtcdUnavailableException(e.toString(), e);
        }
    }
}
