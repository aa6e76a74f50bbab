package org.a6suite.seed;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.a6suite.seed.SeedLoader.Action;
import org.a6suite.seed.SeedLoader.SeedOptions;
import org.a6suite.testing.etcd.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Against a real etcd: the loader is idempotent, keeps create_time, and never overwrites someone else's edit. */
class SeedLoaderTest {

    private static EtcdServer etcd;
    private static Client client;
    private final JsonMapper mapper = JsonMapper.builder().build();

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdServer.start();
        client = etcd.newClient();
    }

    @AfterAll
    static void stopEtcd() {
        client.close();
        etcd.close();
    }

    private SeedLoader loaderAt(long epochSecond) {
        return new SeedLoader(
                client.getKVClient(), mapper, Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC));
    }

    private SeedObject upstream(String prefixTag, int weight) {
        ObjectNode body = (ObjectNode)
                mapper.readTree("{\"type\":\"roundrobin\",\"nodes\":{\"127.0.0.1:18081\":" + weight + "}}");
        body.put("id", prefixTag);
        return new SeedObject("upstreams", prefixTag, body);
    }

    private ObjectNode stored(String key) throws Exception {
        KV kv = client.getKVClient();
        var kvs = kv.get(ByteSequence.from(key, UTF_8)).get().getKvs();
        return kvs.isEmpty()
                ? null
                : (ObjectNode) mapper.readTree(kvs.getFirst().getValue().getBytes());
    }

    private void operatorWrites(String key, String json) throws Exception {
        client.getKVClient()
                .put(ByteSequence.from(key, UTF_8), ByteSequence.from(json, UTF_8))
                .get();
    }

    @Test
    void shouldCreateThenLeaveUnchangedOnSecondRun() throws Exception {
        var options = new SeedOptions("/idem", false, false);
        var first = loaderAt(1000).apply(List.of(upstream("1", 1)), options);
        var second = loaderAt(2000).apply(List.of(upstream("1", 1)), options);

        assertThat(first).extracting(SeedLoader.Result::action).containsExactly(Action.CREATE);
        assertThat(second).extracting(SeedLoader.Result::action).containsExactly(Action.UNCHANGED);
        ObjectNode value = stored("/idem/upstreams/1");
        assertThat(value.get("create_time").asLong()).isEqualTo(1000);
        assertThat(value.get("update_time").asLong())
                .as("unchanged objects are not rewritten")
                .isEqualTo(1000);
        assertThat(value.get("id").asString()).isEqualTo("1");
    }

    @Test
    void shouldUpdateItsOwnObjectWhenSeedDataChangesKeepingCreateTime() throws Exception {
        var options = new SeedOptions("/own", false, false);
        loaderAt(1000).apply(List.of(upstream("1", 1)), options);
        var result = loaderAt(5000).apply(List.of(upstream("1", 7)), options);

        assertThat(result).extracting(SeedLoader.Result::action).containsExactly(Action.UPDATE);
        ObjectNode value = stored("/own/upstreams/1");
        assertThat(value.at("/nodes/127.0.0.1:18081").asInt()).isEqualTo(7);
        assertThat(value.get("create_time").asLong()).isEqualTo(1000);
        assertThat(value.get("update_time").asLong()).isEqualTo(5000);
    }

    @Test
    void shouldRefuseToOverwriteAnOperatorsEditUnlessForced() throws Exception {
        var options = new SeedOptions("/edit", false, false);
        loaderAt(1000).apply(List.of(upstream("1", 1)), options);
        String operatorEdit = "{\"id\":\"1\",\"type\":\"roundrobin\",\"nodes\":{\"127.0.0.1:18081\":42}}";
        operatorWrites("/edit/upstreams/1", operatorEdit);

        var refused = loaderAt(2000).apply(List.of(upstream("1", 1)), options);
        assertThat(refused).extracting(SeedLoader.Result::action).containsExactly(Action.CONFLICT);
        assertThat(refused.getFirst().reason()).contains("changed by someone else");
        assertThat(stored("/edit/upstreams/1").at("/nodes/127.0.0.1:18081").asInt())
                .isEqualTo(42);

        var forced = loaderAt(3000).apply(List.of(upstream("1", 1)), new SeedOptions("/edit", false, true));
        assertThat(forced).extracting(SeedLoader.Result::action).containsExactly(Action.UPDATE);
        assertThat(stored("/edit/upstreams/1").at("/nodes/127.0.0.1:18081").asInt())
                .isEqualTo(1);
    }

    @Test
    void shouldRefuseObjectsItNeverWrote() throws Exception {
        operatorWrites("/foreign/upstreams/9", "{\"id\":\"9\",\"nodes\":{\"10.0.0.1:80\":1}}");
        var result = loaderAt(1000).apply(List.of(upstream("9", 1)), new SeedOptions("/foreign", false, false));
        assertThat(result).extracting(SeedLoader.Result::action).containsExactly(Action.CONFLICT);
        assertThat(result.getFirst().reason()).contains("not written by the seed loader");
    }

    @Test
    void shouldWriteNothingInDryRun() throws Exception {
        var result = loaderAt(1000).apply(List.of(upstream("1", 1)), new SeedOptions("/dry", true, false));
        assertThat(result).extracting(SeedLoader.Result::action).containsExactly(Action.CREATE);
        assertThat(stored("/dry/upstreams/1")).isNull();
    }

    @Test
    void shouldLoadTheRepositorysDemoDataInDependencyOrder() {
        var objects = SeedData.load(java.nio.file.Path.of("data"), mapper);
        assertThat(objects).isNotEmpty();
        assertThat(objects.getFirst().kind()).isEqualTo("upstreams");
        var kinds = objects.stream().map(SeedObject::kind).toList();
        assertThat(kinds.lastIndexOf("upstreams")).isLessThan(kinds.indexOf("routes"));
        var loaded = loaderAt(1000).apply(objects, new SeedOptions("/demo", false, false));
        assertThat(loaded).allSatisfy(r -> assertThat(r.action()).isEqualTo(Action.CREATE));
    }
}
