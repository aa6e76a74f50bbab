package org.a6suite.optimizer.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.a6suite.optimizer.writer.Decision;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class LegacyNamesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void shouldReadADecisionStoredWithCamelCaseNames() {
        JsonNode stored = JSON.readTree("""
                {"id":"d1","upstream":"upstreams/1","kind":"apply","actor":"auto","atMs":1700000000000,
                 "modRevisionBefore":41,"modRevisionAfter":42,
                 "before":{"timeout":null,"weights":{"10.0.0.1:80":10,"backendA:80":10}},
                 "after":{"timeout":{"connect":1,"send":2,"read":2},"weights":{"10.0.0.1:80":10,"backendA:80":5}},
                 "reasons":["slow"],"inputs":{"requests":200,"errorRate":0.05,"nodes":{"backendA:80":{
                   "requests":100,"errorRate":0.1,"latencyP50":300.0,"latencyP99":400.0,"readMs":null,
                   "connectMs":null,"health":null,"score":0.4,"ejected":false}}},"rollbackOf":null}""");

        Decision d = JSON.treeToValue(LegacyNames.toSnakeCase(stored), Decision.class);

        assertThat(d.atMs()).isEqualTo(1700000000000L);
        assertThat(d.modRevisionBefore()).isEqualTo(41);
        assertThat(d.modRevisionAfter()).isEqualTo(42);
        assertThat(d.inputs().errorRate()).isEqualTo(0.05);
        assertThat(d.inputs().nodes().get("backendA:80").latencyP99()).isEqualTo(400.0);
        // map keys that are addresses are data, never renamed
        assertThat(d.after().weights()).containsOnlyKeys("10.0.0.1:80", "backendA:80");
    }

    @Test
    void shouldWriteAndReadDecisionsInSnakeCase() {
        JsonNode stored = JSON.readTree("""
                {"id":"d2","upstream":"upstreams/1","kind":"rollback","actor":"api","at_ms":5,
                 "mod_revision_before":1,"mod_revision_after":2,"before":{"timeout":null,"weights":{}},
                 "after":{"timeout":null,"weights":{}},"reasons":[],"inputs":{"requests":0,"error_rate":0.0,
                 "nodes":{}},"rollback_of":"d1"}""");

        Decision d = JSON.treeToValue(LegacyNames.toSnakeCase(stored.deepCopy()), Decision.class);

        assertThat(d.rollbackOf()).isEqualTo("d1");
        assertThat(JSON.readTree(JSON.writeValueAsString(d))).isEqualTo(stored);
    }

    @Test
    void shouldRenameStoredPolicyOverrides() {
        assertThat(LegacyNames.toSnakeCase(JSON.readTree("{\"readFactor\":3,\"mode\":\"auto\"}")))
                .isEqualTo(JSON.readTree("{\"mode\":\"auto\",\"read_factor\":3}"));
    }
}
