package org.a6suite.bench.loop;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The "operator": while the optimizer runs, it edits fields the optimizer must not touch ({@code desc}, and
 * {@code labels.edit}) as the Admin API's PATCH does it: read the object and its {@code mod_revision}, change the
 * field, and commit in a transaction guarded by that {@code mod_revision}, re-reading on conflict. Every committed edit
 * is kept with its revision, so {@link #audit} can check afterwards that none was lost.
 */
final class Operator implements AutoCloseable {

    /** One committed edit: its number, the value it set, and the etcd revision of its commit. */
    record Edit(int number, String desc, long revision) {}

    /** What the audit found. */
    record Audit(int edits, long operatorConflicts, int optimizerWritesChecked, List<String> problems) {
        boolean clean() {
            return problems.isEmpty();
        }
    }

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final KV kv;
    private final ByteSequence key;
    private final List<Edit> edits = new CopyOnWriteArrayList<>();
    private final AtomicLong conflicts = new AtomicLong();
    private volatile boolean stop;
    private Thread thread;

    Operator(Client client, String key) {
        this.kv = client.getKVClient();
        this.key = ByteSequence.from(key, UTF_8);
    }

    /** Edits every {@code everyMs} until closed (at most {@code maxEdits}). */
    void start(long everyMs, int maxEdits) {
        thread = Thread.ofPlatform().daemon().name("loop-bench-operator").start(() -> {
            for (int n = 1; n <= maxEdits && !stop; n++) {
                try {
                    edit(n);
                    Thread.sleep(everyMs);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    System.err.println("operator edit " + n + " failed: " + e);
                }
            }
        });
    }

    private void edit(int n) throws Exception {
        String desc = "operator edit #" + n + " at " + System.currentTimeMillis();
        for (int attempt = 0; attempt < 20; attempt++) {
            GetResponse got = kv.get(key).get(5, TimeUnit.SECONDS);
            long rev = got.getKvs().getFirst().getModRevision();
            ObjectNode object = (ObjectNode)
                    JSON.readTree(got.getKvs().getFirst().getValue().toString(UTF_8));
            object.put("desc", desc);
            object.withObject("labels").put("edit", Integer.toString(n));
            object.put("update_time", System.currentTimeMillis() / 1000);
            TxnResponse txn = kv.txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(rev)))
                    .Then(Op.put(key, ByteSequence.from(JSON.writeValueAsString(object), UTF_8), PutOption.DEFAULT))
                    .commit()
                    .get(5, TimeUnit.SECONDS);
            if (txn.isSucceeded()) {
                edits.add(new Edit(n, desc, txn.getHeader().getRevision()));
                return;
            }
            conflicts.incrementAndGet(); // someone (the optimizer) wrote in between: re-read, as PATCH does
        }
        throw new IllegalStateException("edit " + n + ": 20 conflicts in a row");
    }

    List<Edit> edits() {
        return List.copyOf(edits);
    }

    /**
     * Checks that no operator edit was lost: the stored object ends with the last edit's {@code desc} and label; every
     * edit is what etcd holds at its revision; and every optimizer write (a decision's {@code mod_revision_before} →
     * {@code mod_revision_after}) changed nothing but {@code timeout}, node weights and {@code update_time}.
     */
    Audit audit(List<long[]> optimizerWrites) throws Exception {
        List<String> problems = new ArrayList<>();
        List<Edit> done = edits();
        JsonNode now = valueAt(0);
        if (done.isEmpty()) {
            problems.add("no operator edit was committed");
        } else {
            Edit last = done.getLast();
            if (!last.desc().equals(now.path("desc").asString())
                    || !Integer.toString(last.number())
                            .equals(now.path("labels").path("edit").asString())) {
                problems.add("final object lost edit #" + last.number() + ": desc=" + now.path("desc"));
            }
        }
        for (Edit e : done) {
            JsonNode at = valueAt(e.revision());
            if (!e.desc().equals(at.path("desc").asString())) {
                problems.add("edit #" + e.number() + " not visible at its revision " + e.revision());
            }
        }
        for (long[] w : optimizerWrites) {
            JsonNode before = strip(valueAt(w[0]));
            JsonNode after = strip(valueAt(w[1]));
            if (!before.equals(after)) {
                problems.add("optimizer write " + w[0] + " -> " + w[1] + " changed more than timeout and weights: "
                        + before + " vs " + after);
            }
        }
        return new Audit(done.size(), conflicts.get(), optimizerWrites.size(), problems);
    }

    /** The object at a revision (0 = now). */
    private JsonNode valueAt(long revision) throws Exception {
        GetOption option =
                revision > 0 ? GetOption.builder().withRevision(revision).build() : GetOption.DEFAULT;
        GetResponse got = kv.get(key, option).get(5, TimeUnit.SECONDS);
        return JSON.readTree(got.getKvs().getFirst().getValue().toString(UTF_8));
    }

    /** The object without the fields the optimizer may change. */
    private static JsonNode strip(JsonNode object) {
        ObjectNode copy = ((ObjectNode) object).deepCopy();
        copy.remove("timeout");
        copy.remove("update_time");
        for (JsonNode node : copy.path("nodes")) {
            if (node instanceof ObjectNode o) {
                o.remove("weight");
            }
        }
        return copy;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        if (thread != null) {
            thread.interrupt();
            thread.join(10_000);
        }
    }
}
