package org.a6suite.optimizer.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.optimizer.policy.Policy;
import org.a6suite.optimizer.policy.PolicyCodec;
import org.a6suite.optimizer.policy.PolicyException;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The optimizer's configuration, prefix {@code a6.optimizer}. Checked once at start-up: a bad value fails the start
 * with a message naming the property ({@code a6.optimizer.interval: PT0S (expected: ...)}).
 *
 * @param etcd                 how to reach etcd
 * @param apisixPrefix         APISIX's etcd prefix; default {@code /apisix}
 * @param healthPrefix         where runners publish health documents; default {@code /a6/health}
 * @param statePrefix          where the optimizer keeps policies, pauses, baselines, history and its election;
 *                             default {@code /a6/optimizer}
 * @param interval             how often the loop evaluates every upstream; default 5 s
 * @param healthStaleIntervals a health document older than this many of its intervals is ignored; default 3
 * @param historyLimit         decisions kept per upstream; default 50
 * @param seriesLimit          dashboard points kept per upstream in memory; default 720 (1 h at 5 s)
 * @param writeAttempts        read-compute-write attempts before a write gives up on a busy key; default 5
 * @param api                  REST API credentials
 * @param leader               leader election
 * @param defaultPolicy        fields of the built-in default policy to change, e.g. {@code mode: auto},
 *                             {@code read-factor: 2.5}; the default policy stored in etcd overrides these
 */
@ConfigurationProperties("a6.optimizer")
public record OptimizerProperties(
        @DefaultValue Etcd etcd,
        @DefaultValue("/apisix") String apisixPrefix,
        @DefaultValue("/a6/health") String healthPrefix,
        @DefaultValue("/a6/optimizer") String statePrefix,
        @DefaultValue("5s") Duration interval,
        @DefaultValue("3") int healthStaleIntervals,
        @DefaultValue("50") int historyLimit,
        @DefaultValue("720") int seriesLimit,
        @DefaultValue("5") int writeAttempts,
        @DefaultValue Api api,
        @DefaultValue Leader leader,
        Map<String, String> defaultPolicy) {

    private static final String P = "a6.optimizer.";

    public OptimizerProperties {
        defaultPolicy = defaultPolicy == null ? Map.of() : Map.copyOf(defaultPolicy);
        prefix("apisix-prefix", apisixPrefix);
        prefix("health-prefix", healthPrefix);
        prefix("state-prefix", statePrefix);
        if (interval == null || interval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException(
                    P + "interval: " + interval + " (expected: a duration >= 100ms, e.g. 5s)");
        }
        atLeast("health-stale-intervals", healthStaleIntervals, 1);
        atLeast("history-limit", historyLimit, 1);
        atLeast("series-limit", seriesLimit, 1);
        atLeast("write-attempts", writeAttempts, 1);
        policy(defaultPolicy); // validates
    }

    /** The default policy: the built-in one with {@link #defaultPolicy()} applied. */
    public Policy basePolicy() {
        return policy(defaultPolicy);
    }

    /**
     * Property keys are kebab case ({@code read-factor}), the policy's JSON fields snake_case ({@code read_factor}):
     * the same words, so errors name the property as it was written.
     */
    private static Policy policy(Map<String, String> fields) {
        ObjectNode overrides = JsonMapper.builder().build().createObjectNode();
        fields.forEach((k, v) -> overrides.put(k.replace('-', '_'), v));
        try {
            return PolicyCodec.merge(Policy.DEFAULT, overrides, P + "default-policy.");
        } catch (PolicyException e) {
            String property = e.field().replace('_', '-');
            throw new IllegalArgumentException(
                    property + e.getMessage().substring(e.field().length()), e);
        }
    }

    private static void prefix(String name, String value) {
        if (value == null || !value.startsWith("/") || value.length() < 2) {
            throw new IllegalArgumentException(
                    P + name + ": " + value + " (expected: an etcd key prefix such as /a6/x)");
        }
    }

    private static void atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(P + name + ": " + value + " (expected: >= " + min + ")");
        }
    }

    /**
     * etcd connection.
     *
     * @param endpoints      client URLs; default {@code http://127.0.0.1:2379}
     * @param user           user name for etcd authentication, if enabled
     * @param password       its password
     * @param caFile         PEM file of the CA that signed etcd's certificate (enables TLS)
     * @param certFile       client certificate (PEM) for mutual TLS
     * @param keyFile        its private key (PKCS#8 PEM)
     * @param connectTimeout how long to wait for a connection; default 5 s
     */
    public record Etcd(
            @DefaultValue("http://127.0.0.1:2379") List<String> endpoints,
            String user,
            String password,
            String caFile,
            String certFile,
            String keyFile,
            @DefaultValue("5s") Duration connectTimeout) {
        public Etcd {
            if (endpoints == null || endpoints.isEmpty()) {
                throw new IllegalArgumentException(P + "etcd.endpoints: " + endpoints
                        + " (expected: at least one URL such as http://127.0.0.1:2379)");
            }
            for (String e : endpoints) {
                if (!(e.startsWith("http://") || e.startsWith("https://"))) {
                    throw new IllegalArgumentException(
                            P + "etcd.endpoints: " + e + " (expected: an http:// or https:// URL)");
                }
            }
            if ((user == null) != (password == null)) {
                throw new IllegalArgumentException(P + "etcd.user: " + (user == null ? "unset" : user)
                        + " (expected: user and password set together)");
            }
            if ((certFile == null) != (keyFile == null)) {
                throw new IllegalArgumentException(
                        P + "etcd.cert-file: " + certFile + " (expected: cert-file and key-file set together)");
            }
            endpoints = List.copyOf(endpoints);
        }

        public Optional<String> userName() {
            return Optional.ofNullable(user);
        }

        @Override
        public String toString() {
            return "Etcd[endpoints=" + endpoints + ", user=" + user + ", password="
                    + (password == null ? "unset" : "***") + ", caFile=" + caFile + ", certFile=" + certFile + "]";
        }
    }

    /**
     * REST API credentials for writes. Either may be set; with neither, writes are refused.
     *
     * @param apiKey      value expected in the {@code X-API-Key} header
     * @param bearerToken value expected in {@code Authorization: Bearer <token>}
     */
    public record Api(String apiKey, String bearerToken) {
        public Api {
            if (apiKey != null && apiKey.length() < 16) {
                throw new IllegalArgumentException(
                        P + "api.api-key: <" + apiKey.length() + " characters> (expected: at least 16 characters)");
            }
            if (bearerToken != null && bearerToken.length() < 16) {
                throw new IllegalArgumentException(P + "api.bearer-token: <" + bearerToken.length()
                        + " characters> (expected: at least 16 characters)");
            }
        }

        @Override
        public String toString() {
            return "Api[apiKey=" + (apiKey == null ? "unset" : "***") + ", bearerToken="
                    + (bearerToken == null ? "unset" : "***") + "]";
        }
    }

    /**
     * Leader election.
     *
     * @param enabled   elect a leader (off: this replica always applies; for a single instance); default true
     * @param leaseTtl  lease time to live, also the longest fail-over time; default 10 s
     * @param replicaId this replica's name in the election; default host name + random suffix
     */
    public record Leader(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("10s") Duration leaseTtl,
            String replicaId) {
        public Leader {
            if (leaseTtl == null || leaseTtl.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException(
                        P + "leader.lease-ttl: " + leaseTtl + " (expected: a duration >= 1s)");
            }
        }
    }

    @Override
    public String toString() {
        return "OptimizerProperties[etcd=" + etcd.endpoints() + ", interval=" + interval + ", api=" + api + "]";
    }
}
