package org.a6suite.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.a6suite.health.internal.ControlApiParser;
import org.a6suite.health.internal.NodeKey;
import org.junit.jupiter.api.Test;

class ControlApiParsingTest {

    @Test
    void shouldReadNodeHealthPerUpstream() {
        String body = """
                [{"name":"/apisix/upstreams/1","type":"http","nodes":[
                   {"ip":"127.0.0.1","port":8081,"status":"healthy","hostname":"127.0.0.1",
                    "counter":{"success":5,"http_failure":0,"tcp_failure":0,"timeout_failure":0}},
                   {"ip":"127.0.0.1","port":8082,"status":"unhealthy",
                    "counter":{"success":0,"http_failure":5,"tcp_failure":0,"timeout_failure":3}}]},
                 {"name":"/apisix/routes/7","type":"http","nodes":[{"ip":"::1","port":9000,"status":"mostly_healthy"}]},
                 {"name":"/weird","nodes":[{"ip":"1.2.3.4","port":1,"status":"healthy"}]},
                 {"name":"/apisix/upstreams/2","nodes":[{"ip":"1.2.3.4","status":"healthy"}]}]
                """;
        Map<NodeKey, String> health = ControlApiParser.parse(body, k -> k);
        assertThat(health)
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        new NodeKey("upstreams/1", "127.0.0.1:8081"), "healthy",
                        new NodeKey("upstreams/1", "127.0.0.1:8082"), "unhealthy",
                        new NodeKey("routes/7", "[::1]:9000"), "mostly_healthy"));
    }

    @Test
    void shouldRejectAnswersThatAreNotAJsonArray() {
        assertThatThrownBy(() -> ControlApiParser.parse("{}", k -> k)).hasMessageContaining("expected: a JSON array");
        assertThatThrownBy(() -> ControlApiParser.parse("<html>", k -> k)).hasMessageContaining("not JSON");
    }
}
