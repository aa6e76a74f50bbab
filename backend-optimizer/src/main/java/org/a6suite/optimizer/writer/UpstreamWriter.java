package org.a6suite.optimizer.writer;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.a6suite.optimizer.etcd.ApisixObjectParser;
import org.a6suite.optimizer.etcd.Etcd;
import org.a6suite.optimizer.etcd.KeyValue;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes timeout and weight changes back to APISIX's etcd keys safely.
 *
 * <p>Each attempt reads the stored object, lets the caller compute the change from it, and commits in one transaction
 * that succeeds only if the key's {@code mod_revision} is unchanged (as the Admin API's PATCH does) and, when a
 * {@link Fence} is given, this replica still holds the leadership. The same transaction records the decision in the
 * history and the baseline weights, so a change and its record land together or not at all: a change is never
 * applied twice, and an operator's concurrent edit is never overwritten (the writer re-reads and recomputes on it).
 */
public final class UpstreamWriter {

    private static final Logger log = LoggerFactory.getLogger(UpstreamWriter.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final KV kv;
    private final String apisixPrefix;
    private final String statePrefix;
    private final Clock clock;
    private final int maxAttempts;
    private final int historyLimit;
    private final Counter conflicts;
    private final Counter historyFailures;
    private final MeterRegistry meters;

    public UpstreamWriter(
            Client client,
            String apisixPrefix,
            String statePrefix,
            Clock clock,
            int maxAttempts,
            int historyLimit,
            MeterRegistry meters) {
        this.kv = requireNonNull(client, "client").getKVClient();
        this.apisixPrefix = Etcd.dir(requireNonNull(apisixPrefix, "apisixPrefix"));
        this.statePrefix = Etcd.dir(requireNonNull(statePrefix, "statePrefix"));
        this.clock = requireNonNull(clock, "clock");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
        }
        if (historyLimit < 1) {
            throw new IllegalArgumentException("historyLimit: " + historyLimit + " (expected: >= 1)");
        }
        this.maxAttempts = maxAttempts;
        this.historyLimit = historyLimit;
        this.meters = requireNonNull(meters, "meters");
        this.conflicts = Counter.builder("a6.optimizer.conflicts")
                .description("Writes that found the upstream changed since it was read (re-read and recomputed)")
                .register(meters);
        this.historyFailures = Counter.builder("a6.optimizer.history.write.failures")
                .description("Applied changes whose history record could not be updated with the write's revision")
                .register(meters);
    }

    /**
     * Applies a change computed by {@code planner} from the upstream as stored at the moment of each attempt.
     *
     * @param planner returns the change for the stored upstream, or empty when nothing should change any more
     * @param fence   leadership proof to check in the transaction, if any
     */
    public WriteResult apply(
            UpstreamRef ref, Function<UpstreamConfig, Optional<PlannedChange>> planner, Optional<Fence> fence) {
        requireNonNull(ref, "ref");
        requireNonNull(planner, "planner");
        requireNonNull(fence, "fence");
        String key = apisixPrefix + ref.key();
        int conflictCount = 0;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            GetResponse stored = call(kv.get(Etcd.bytes(key)));
            if (stored.getKvs().isEmpty()) {
                return new WriteResult(
                        WriteResult.Outcome.NOT_FOUND, Optional.empty(), conflictCount, ref + " does not exist");
            }
            io.etcd.jetcd.KeyValue current = stored.getKvs().getFirst();
            long modRevision = current.getModRevision();
            Optional<JsonNode> tree = ApisixObjectParser.tree(Etcd.string(current.getValue()));
            Optional<UpstreamConfig> config = tree.flatMap(t -> ApisixObjectParser.upstream(ref, modRevision, t));
            if (config.isEmpty()) {
                return new WriteResult(
                        WriteResult.Outcome.NOT_FOUND, Optional.empty(), conflictCount, ref + " has no nodes to tune");
            }
            Optional<PlannedChange> planned = planner.apply(config.get());
            if (planned.isEmpty()) {
                return new WriteResult(
                        WriteResult.Outcome.NO_CHANGE,
                        Optional.empty(),
                        conflictCount,
                        "nothing to change on " + ref + " at mod_revision " + modRevision);
            }
            PlannedChange change = planned.get();
            Map<String, Integer> before = config.get().weights();
            Map<String, Integer> after = new LinkedHashMap<>(before);
            change.weights().forEach((addr, w) -> after.computeIfPresent(addr, (k, old) -> w));
            Setting beforeSetting = new Setting(config.get().timeout().orElse(null), before);
            Setting afterSetting =
                    new Setting(change.timeout().orElse(config.get().timeout().orElse(null)), after);
            if (beforeSetting.equals(afterSetting)) {
                return new WriteResult(
                        WriteResult.Outcome.NO_CHANGE,
                        Optional.empty(),
                        conflictCount,
                        "the change is already in place on " + ref);
            }
            long now = clock.millis();
            ObjectNode patched = JsonPatcher.patch((ObjectNode) tree.get(), ref, change.timeout(), after, now / 1000);
            String decisionId = UUID.randomUUID().toString();
            Decision decision = new Decision(
                    decisionId,
                    ref.key(),
                    change.kind(),
                    change.actor(),
                    now,
                    modRevision,
                    0,
                    beforeSetting,
                    afterSetting,
                    change.reasons(),
                    change.inputs(),
                    change.rollbackOf());

            GetResponse baselineStored = call(kv.get(Etcd.bytes(statePrefix + Baselines.key(ref.key()))));
            Optional<KeyValue> baselineKv = baselineStored.getKvs().stream()
                    .findFirst()
                    .map(b -> new KeyValue(Baselines.key(ref.key()), Etcd.string(b.getValue()), b.getModRevision()));
            Map<String, Integer> base = Baselines.effective(baselineKv, before);

            List<Cmp> conditions = new ArrayList<>();
            conditions.add(new Cmp(Etcd.bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision)));
            fence.ifPresent(f -> conditions.add(
                    new Cmp(Etcd.bytes(f.key()), Cmp.Op.EQUAL, CmpTarget.createRevision(f.createRevision()))));
            String historyKey = statePrefix + historyKey(ref, now, decisionId);
            TxnResponse txn = call(kv.txn()
                    .If(conditions.toArray(Cmp[]::new))
                    .Then(
                            Op.put(Etcd.bytes(key), Etcd.bytes(JSON.writeValueAsString(patched)), PutOption.DEFAULT),
                            Op.put(
                                    Etcd.bytes(historyKey),
                                    Etcd.bytes(JSON.writeValueAsString(decision)),
                                    PutOption.DEFAULT),
                            Op.put(
                                    Etcd.bytes(statePrefix + Baselines.key(ref.key())),
                                    Etcd.bytes(Baselines.encode(base, after)),
                                    PutOption.DEFAULT))
                    .commit());
            if (txn.isSucceeded()) {
                long revision = txn.getHeader().getRevision();
                Decision applied = decision.withRevision(revision);
                // Rewrite the record with the write's revision: same key, outside the transaction, best effort. The
                // change and its record (revision 0) are committed already, so a failure here must not report the
                // change as failed: the caller would retry or alert on a change that is in place.
                try {
                    call(kv.put(Etcd.bytes(historyKey), Etcd.bytes(JSON.writeValueAsString(applied))));
                } catch (RuntimeException e) {
                    historyFailures.increment();
                    log.warn(
                            "{} {} on {} applied at revision {}, but its history record keeps revision 0: {}",
                            change.kind(),
                            decisionId,
                            ref,
                            revision,
                            e.toString());
                }
                Counter.builder("a6.optimizer.decisions")
                        .description("Applied changes")
                        .tag("kind", change.kind())
                        .tag("actor", change.actor())
                        .register(meters)
                        .increment();
                if (change.kind().equals("rollback")) {
                    Counter.builder("a6.optimizer.rollbacks")
                            .description("Changes rolled back")
                            .tag("actor", change.actor())
                            .register(meters)
                            .increment();
                }
                prune(ref);
                log.info("{} {} on {}: {}", change.kind(), decisionId, ref, change.reasons());
                return new WriteResult(
                        WriteResult.Outcome.APPLIED,
                        Optional.of(applied),
                        conflictCount,
                        "applied at revision " + revision);
            }
            if (fence.isPresent() && !holds(fence.get())) {
                return new WriteResult(
                        WriteResult.Outcome.NOT_LEADER,
                        Optional.empty(),
                        conflictCount,
                        "leadership lost: not written");
            }
            conflictCount++;
            conflicts.increment();
            log.info(
                    "{} changed under the writer (mod_revision {} is stale), re-reading (attempt {}/{})",
                    ref,
                    modRevision,
                    attempt,
                    maxAttempts);
        }
        return new WriteResult(
                WriteResult.Outcome.CONFLICT,
                Optional.empty(),
                conflictCount,
                ref + " kept changing: gave up after " + maxAttempts + " attempts");
    }

    /** History keys sort by time: {@code history/<kind>/<id>/<epoch ms, 16 digits>-<decision id>}. */
    public static String historyKey(UpstreamRef ref, long atMs, String decisionId) {
        return "history/" + ref.key() + "/" + String.format(Locale.ROOT, "%016d", atMs) + "-" + decisionId;
    }

    private boolean holds(Fence fence) {
        GetResponse r = call(kv.get(Etcd.bytes(fence.key())));
        return !r.getKvs().isEmpty() && r.getKvs().getFirst().getCreateRevision() == fence.createRevision();
    }

    /** Keeps the newest {@code historyLimit} decisions of an upstream. */
    private void prune(UpstreamRef ref) {
        String dir = statePrefix + "history/" + ref.key() + "/";
        try {
            GetResponse all = call(kv.get(
                    Etcd.bytes(dir),
                    GetOption.builder()
                            .isPrefix(true)
                            .withKeysOnly(true)
                            .withSortField(GetOption.SortTarget.KEY)
                            .withSortOrder(GetOption.SortOrder.ASCEND)
                            .build()));
            int excess = all.getKvs().size() - historyLimit;
            for (int i = 0; i < excess; i++) {
                ByteSequence k = all.getKvs().get(i).getKey();
                call(kv.delete(k, DeleteOption.DEFAULT));
            }
        } catch (RuntimeException e) {
            log.warn("could not prune history of {}: {}", ref, e.toString());
        }
    }

    private static <T> T call(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtcdUnavailableException("interrupted", e);
        } catch (Exception e) {
            throw new EtcdUnavailableException(
                    e.getCause() != null ? e.getCause().toString() : e.toString(), e);
        }
    }

    /** etcd did not answer in time or failed. */
    public static final class EtcdUnavailableException extends RuntimeException {
        public EtcdUnavailableException(String message, Throwable cause) {
            super("etcd: " + message, cause);
        }
    }
}
