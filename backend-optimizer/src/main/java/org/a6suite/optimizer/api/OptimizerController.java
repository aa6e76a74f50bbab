package org.a6suite.optimizer.api;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.model.UpstreamConfig;
import org.a6suite.optimizer.model.UpstreamRef;
import org.a6suite.optimizer.policy.Policy;
import org.a6suite.optimizer.policy.PolicyCodec;
import org.a6suite.optimizer.service.OptimizerService;
import org.a6suite.optimizer.service.OptimizerState;
import org.a6suite.optimizer.writer.Decision;
import org.a6suite.optimizer.writer.WriteResult;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/** The REST API; documented in {@code /v3/api-docs} and {@code docs/optimizer.md}. */
@RestController
@RequestMapping("/api/v1")
public class OptimizerController {

    private final OptimizerService service;
    private final OptimizerState state;
    private final java.time.Clock clock;

    public OptimizerController(OptimizerService service, java.time.Clock clock) {
        this.service = service;
        this.state = service.state();
        this.clock = clock;
    }

    @GetMapping("/status")
    Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("leader", service.leadership().isLeader());
        m.put("current_leader", service.leadership().currentLeader().orElse(null));
        m.put("upstreams", service.upstreams().size());
        return m;
    }

    @GetMapping("/upstreams")
    List<Map<String, Object>> upstreams() {
        return service.upstreams().values().stream()
                .sorted(Comparator.comparing(UpstreamConfig::ref))
                .map(c -> Views.summary(
                        c,
                        service.recommendation(c.ref()),
                        mode(c.ref()),
                        state.pause(c.ref()).isPresent()))
                .toList();
    }

    @GetMapping("/upstreams/{kind}/{id}")
    Map<String, Object> upstream(@PathVariable String kind, @PathVariable String id) {
        UpstreamRef ref = new UpstreamRef(kind, id);
        UpstreamConfig c = config(ref);
        Map<String, Object> m = Views.summary(
                c, service.recommendation(ref), mode(ref), state.pause(ref).isPresent());
        m.put("pause", state.pause(ref).orElse(null));
        m.put("nodes", c.nodes());
        m.put("policy", PolicyCodec.toJson(state.policy(ref)));
        m.put("health", Views.health(service.health(ref)));
        m.put(
                "recommendation",
                service.recommendation(ref).map(Views::recommendation).orElse(null));
        return m;
    }

    @GetMapping("/upstreams/{kind}/{id}/series")
    Map<String, Object> series(@PathVariable String kind, @PathVariable String id) {
        UpstreamRef ref = new UpstreamRef(kind, id);
        return Views.series(config(ref), service.series(ref), state.history(ref), clock.millis());
    }

    @GetMapping("/upstreams/{kind}/{id}/history")
    List<Decision> upstreamHistory(@PathVariable String kind, @PathVariable String id) {
        UpstreamRef ref = new UpstreamRef(kind, id);
        List<Decision> history = state.history(ref);
        // An upstream deleted from APISIX keeps its history; one that never existed is a 404, as for /series.
        if (history.isEmpty()) {
            config(ref);
        }
        return history;
    }

    @GetMapping("/history")
    List<Decision> history(@RequestParam(defaultValue = "100") String limit) {
        int parsed;
        try {
            parsed = Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            parsed = -1;
        }
        if (parsed < 1 || parsed > 10_000) {
            throw new IllegalArgumentException(
                    "limit: " + ApiInput.quote(limit) + " (expected: an integer 1 to 10000)");
        }
        return state.history(parsed);
    }

    @PostMapping("/upstreams/{kind}/{id}/apply")
    ResponseEntity<Map<String, Object>> apply(@PathVariable String kind, @PathVariable String id) {
        return result(service.apply(new UpstreamRef(kind, id)));
    }

    @PostMapping("/upstreams/{kind}/{id}/rollback")
    ResponseEntity<Map<String, Object>> rollback(
            @PathVariable String kind, @PathVariable String id, @RequestBody(required = false) JsonNode body) {
        Optional<String> decision = ApiInput.optionalString(
                body, "decision", "the id of a decision of this upstream, as listed by its /history", "decision");
        return result(service.rollback(new UpstreamRef(kind, id), decision));
    }

    @PostMapping("/upstreams/{kind}/{id}/pause")
    Map<String, Object> pause(
            @PathVariable String kind, @PathVariable String id, @RequestBody(required = false) JsonNode body) {
        UpstreamRef ref = new UpstreamRef(kind, id);
        config(ref);
        String reason = ApiInput.optionalString(body, "reason", "a short text saying why", "reason")
                .orElse("paused by an operator");
        state.pause(ref, reason, clock.millis());
        return Map.of("upstream", ref.key(), "paused", true, "reason", reason);
    }

    @PostMapping("/upstreams/{kind}/{id}/resume")
    Map<String, Object> resume(@PathVariable String kind, @PathVariable String id) {
        UpstreamRef ref = new UpstreamRef(kind, id);
        state.resume(ref);
        return Map.of("upstream", ref.key(), "paused", false);
    }

    @PostMapping("/upstreams/{kind}/{id}/dry-run")
    Map<String, Object> dryRun(
            @PathVariable String kind, @PathVariable String id, @RequestBody(required = false) JsonNode policy) {
        UpstreamRef ref = new UpstreamRef(kind, id);
        JsonNode overrides = policy == null ? JsonNodeFactory.instance.objectNode() : policy;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("upstream", ref.key());
        m.put("policy", PolicyCodec.toJson(PolicyCodec.merge(state.policy(ref), overrides, "")));
        m.put("recommendation", Views.recommendation(service.dryRun(ref, overrides)));
        return m;
    }

    @GetMapping("/policies/default")
    Map<String, Object> defaultPolicy() {
        return policyView(state.defaultPolicy(), state.defaultOverrides(), null);
    }

    @PutMapping("/policies/default")
    Map<String, Object> putDefaultPolicy(@RequestBody JsonNode overrides) {
        Policy p = state.putDefault(overrides);
        return policyView(p, overrides, null);
    }

    @GetMapping("/policies/{kind}/{id}")
    Map<String, Object> policy(@PathVariable String kind, @PathVariable String id) {
        UpstreamRef ref = new UpstreamRef(kind, id);
        return policyView(state.policy(ref), state.overrides(ref), ref);
    }

    @PutMapping("/policies/{kind}/{id}")
    Map<String, Object> putPolicy(@PathVariable String kind, @PathVariable String id, @RequestBody JsonNode overrides) {
        UpstreamRef ref = new UpstreamRef(kind, id);
        config(ref); // a policy for an upstream APISIX does not have would silently never apply
        return policyView(state.putPolicy(ref, overrides), overrides, ref);
    }

    @DeleteMapping("/policies/{kind}/{id}")
    ResponseEntity<Void> deletePolicy(@PathVariable String kind, @PathVariable String id) {
        state.deletePolicy(new UpstreamRef(kind, id));
        return ResponseEntity.noContent().build();
    }

    private static Map<String, Object> policyView(Policy effective, JsonNode overrides, UpstreamRef ref) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scope", ref == null ? "default" : ref.key());
        m.put("overrides", overrides);
        m.put("effective", PolicyCodec.toJson(effective));
        return m;
    }

    private String mode(UpstreamRef ref) {
        return state.policy(ref).mode().name().toLowerCase(Locale.ROOT);
    }

    private UpstreamConfig config(UpstreamRef ref) {
        UpstreamConfig c = service.upstreams().get(ref);
        if (c == null) {
            throw new OptimizerService.UnknownUpstreamException(ref);
        }
        return c;
    }

    private static ResponseEntity<Map<String, Object>> result(WriteResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
        m.put("detail", r.detail());
        m.put("conflicts", r.conflicts());
        m.put("decision", r.decision().orElse(null));
        HttpStatus status = switch (r.outcome()) {
            case APPLIED, NO_CHANGE -> HttpStatus.OK;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case NOT_LEADER -> HttpStatus.SERVICE_UNAVAILABLE;
        };
        if (status != HttpStatus.OK) {
            m.put("field", "upstream");
            return ResponseEntity.status(status)
                    .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                    .body(problemBody(status, m));
        }
        return ResponseEntity.ok(m);
    }

    private static Map<String, Object> problemBody(HttpStatus status, Map<String, Object> m) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", Problems.TYPE_BASE + m.get("outcome").toString().replace('_', '-'));
        p.put("title", status.getReasonPhrase());
        p.put("status", status.value());
        p.put("detail", "upstream: " + m.get("detail"));
        p.put("field", "upstream");
        p.put("outcome", m.get("outcome"));
        return p;
    }
}
