package org.a6suite.seed;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes seed objects to etcd the way APISIX's Admin API does (plain JSON at {@code <prefix>/<kind>/<id>} with
 * {@code id}, {@code create_time} and {@code update_time} in unix seconds), idempotently and safely.
 *
 * <p>Safety: for each object it writes, the loader records in a ledger ({@code /a6/seed<prefix>/<kind>/<id>}) the
 * object's {@code mod_revision} after the write. On a later run an object that differs from the seed is updated only
 * if its {@code mod_revision} still equals the ledger's, i.e. nobody changed it since the loader wrote it; otherwise
 * it is a {@link Action#CONFLICT} and left alone unless {@link SeedOptions#force()}. Every write is a transaction on
 * the revision that was read, so an edit racing the loader is never overwritten either.
 */
public final class SeedLoader {

    /** What the loader did, or would do in a dry run, with one object. */
    public enum Action {
        CREATE,
        UPDATE,
        UNCHANGED,
        CONFLICT
    }

    /** One line of the report. */
    public record Result(String key, Action action, String reason) {}

    /**
     * @param prefix APISIX's etcd prefix, default {@code /apisix}
     * @param dryRun only report what would change
     * @param force  overwrite objects changed by someone else
     */
    public record SeedOptions(String prefix, boolean dryRun, boolean force) {
        public SeedOptions {
            requireNonNull(prefix, "prefix");
            if (!prefix.startsWith("/") || prefix.endsWith("/")) {
                throw new IllegalArgumentException("--prefix: " + prefix + " (expected: /name, no trailing slash)");
            }
        }
    }

    private static final String LEDGER_ROOT = "/a6/seed";
    private static final long TIMEOUT_SECONDS = 10;

    private final KV kv;
    private final JsonMapper mapper;
    private final Clock clock;

    public SeedLoader(KV kv, JsonMapper mapper, Clock clock) {
        this.kv = requireNonNull(kv, "kv");
        this.mapper = requireNonNull(mapper, "mapper");
        this.clock = requireNonNull(clock, "clock");
    }

    public List<Result> apply(List<SeedObject> objects, SeedOptions options) {
        List<Result> results = new ArrayList<>();
        for (SeedObject object : objects) {
            results.add(applyOne(object, options));
        }
        return results;
    }

    private Result applyOne(SeedObject object, SeedOptions options) {
        String key = options.prefix() + "/" + object.relativeKey();
        ByteSequence keyBytes = bytes(key);
        ByteSequence ledgerKey = bytes(LEDGER_ROOT + key);
        Optional<KeyValue> current = get(keyBytes);
        long now = clock.instant().getEpochSecond();

        if (current.isEmpty()) {
            if (options.dryRun()) {
                return new Result(key, Action.CREATE, "absent");
            }
            ObjectNode value = stamped(object.body(), now, now);
            TxnResponse txn = commit(kv.txn()
                    .If(new Cmp(keyBytes, Cmp.Op.EQUAL, CmpTarget.version(0)))
                    .Then(Op.put(keyBytes, json(value), PutOption.DEFAULT)));
            if (!txn.isSucceeded()) {
                return new Result(key, Action.CONFLICT, "created by someone else while seeding");
            }
            recordLedger(ledgerKey, txn.getHeader().getRevision());
            return new Result(key, Action.CREATE, "absent");
        }

        KeyValue kvNow = current.get();
        Optional<ObjectNode> stored = parse(kvNow);
        if (stored.isPresent() && SeedData.withoutAdminFields(stored.get()).equals(object.body())) {
            return new Result(key, Action.UNCHANGED, "already as seeded");
        }
        Optional<Long> ledgerRevision = get(ledgerKey)
                .map(l -> Long.parseLong(l.getValue().toString(UTF_8).trim()));
        boolean ours = ledgerRevision.isPresent() && ledgerRevision.get() == kvNow.getModRevision();
        if (!ours && !options.force()) {
            String why = ledgerRevision.isEmpty()
                    ? "exists and was not written by the seed loader (use --force to overwrite)"
                    : "changed by someone else since the seed loader wrote it (use --force to overwrite)";
            return new Result(key, Action.CONFLICT, why);
        }
        if (options.dryRun()) {
            return new Result(key, Action.UPDATE, ours ? "seed data changed" : "forced");
        }
        long created = stored.map(s -> s.path("create_time").asLong(now)).orElse(now);
        ObjectNode value = stamped(object.body(), created, now);
        TxnResponse txn = commit(kv.txn()
                .If(new Cmp(keyBytes, Cmp.Op.EQUAL, CmpTarget.modRevision(kvNow.getModRevision())))
                .Then(Op.put(keyBytes, json(value), PutOption.DEFAULT)));
        if (!txn.isSucceeded()) {
            return new Result(key, Action.CONFLICT, "changed by someone else while seeding");
        }
        recordLedger(ledgerKey, txn.getHeader().getRevision());
        return new Result(key, Action.UPDATE, ours ? "seed data changed" : "forced");
    }

    private void recordLedger(ByteSequence ledgerKey, long revision) {
        commit(kv.txn().Then(Op.put(ledgerKey, bytes(Long.toString(revision)), PutOption.DEFAULT)));
    }

    private ObjectNode stamped(ObjectNode body, long created, long updated) {
        ObjectNode value = body.deepCopy();
        value.put("create_time", created);
        value.put("update_time", updated);
        return value;
    }

    private Optional<ObjectNode> parse(KeyValue kv) {
        try {
            JsonNode node = mapper.readTree(kv.getValue().getBytes());
            return node instanceof ObjectNode o ? Optional.of(o) : Optional.empty();
        } catch (RuntimeException notJson) {
            // e.g. APISIX's "init_dir" placeholder: not an object we can compare, so it never matches the seed
            return Optional.empty();
        }
    }

    private Optional<KeyValue> get(ByteSequence key) {
        try {
            var kvs = kv.get(key).get(TIMEOUT_SECONDS, TimeUnit.SECONDS).getKvs();
            return kvs.isEmpty() ? Optional.empty() : Optional.of(kvs.getFirst());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading etcd", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("etcd read failed: " + e.getMessage(), e);
        }
    }

    private static TxnResponse commit(io.etcd.jetcd.Txn txn) {
        try {
            return txn.commit().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing etcd", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("etcd write failed: " + e.getMessage(), e);
        }
    }

    private ByteSequence json(ObjectNode value) {
        return ByteSequence.from(mapper.writeValueAsBytes(value));
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, UTF_8);
    }
}
