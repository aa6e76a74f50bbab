package org.a6suite.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.a6suite.health.internal.DocumentSnapshots;
import org.a6suite.plugin.UpstreamHealth;
import org.junit.jupiter.api.Test;

/** Plugins read, in-process, exactly what the reporter publishes to etcd. */
class DocumentSnapshotsTest {

    private static final String DOC = """
            {"version":1,"node_id":"apisix-1","generated_at_ms":1763715600000,"interval_ms":5000,
             "upstreams":{"upstreams/1":{"nodes":{
               "127.0.0.1:8081":{"requests":120,"errors":{"http_5xx":3,"http_4xx":9,"timeout":2,"connect":1},
                                 "health":"healthy","sources":["prometheus"]},
               "127.0.0.1:8082":{"requests":0,"errors":{},"health":"unhealthy"}}}}}""";

    @Test
    void shouldCountServerSideErrorsAndKeepTheHealthCheckStatus() {
        UpstreamHealth health =
                DocumentSnapshots.parse(DOC).upstream("upstreams/1").orElseThrow();

        assertThat(health.generatedAt()).isEqualTo(Instant.ofEpochMilli(1763715600000L));
        UpstreamHealth.NodeHealth first = health.nodes().get("127.0.0.1:8081");
        assertThat(first.requests()).isEqualTo(120);
        assertThat(first.errors())
                .as("5xx + timeout + connect; 4xx are the clients'")
                .isEqualTo(6);
        assertThat(first.status()).contains("healthy");
        assertThat(health.nodes().get("127.0.0.1:8082").failing(0.5, 10)).isTrue();
        assertThat(health.allNodesFailing(0.5, 10)).isFalse();
    }

    @Test
    void shouldKnowNothingAboutUpstreamsMissingFromTheDocument() {
        assertThat(DocumentSnapshots.parse(DOC).upstream("upstreams/2")).isEmpty();
    }
}
