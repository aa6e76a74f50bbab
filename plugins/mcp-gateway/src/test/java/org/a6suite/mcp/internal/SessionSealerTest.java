package org.a6suite.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import org.a6suite.mcp.config.KeyRing;
import org.a6suite.plugin.testing.ManualClock;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class SessionSealerTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final SecretKeySpec k1 = key(1);
    private final SecretKeySpec k2 = key(2);

    private static SecretKeySpec key(int seed) {
        byte[] bytes = new byte[32];
        java.util.Arrays.fill(bytes, (byte) seed);
        return new SecretKeySpec(bytes, "AES");
    }

    private SessionSealer sealer(Map<String, SecretKeySpec> keys, String active) {
        return new SessionSealer(
                new KeyRing(new LinkedHashMap<>(keys), active),
                JsonMapper.builder().build(),
                clock,
                new SecureRandom());
    }

    private SessionContext session() {
        return new SessionContext(
                "sid-1",
                "2025-11-25",
                "client",
                "1.0",
                "alice",
                Map.of("weather", "2025-06-18|up-123"),
                "abcd",
                clock.instant().plus(Duration.ofHours(1)));
    }

    @Test
    void shouldOpenWhatItSealedWithVisibleAsciiId() {
        SessionSealer sealer = sealer(Map.of("k1", k1), "k1");
        String token = sealer.seal(session(), "route#1");
        assertThat(token).matches("[\\x21-\\x7E]+").startsWith("A6M1.k1.");
        assertThat(sealer.open(token, "route#1")).contains(session());
    }

    @Test
    void shouldRefuseTamperedId() {
        SessionSealer sealer = sealer(Map.of("k1", k1), "k1");
        String token = sealer.seal(session(), "route#1");
        byte[] raw = Base64.getUrlDecoder().decode(token.substring("A6M1.k1.".length()));
        raw[raw.length / 2] ^= 1;
        String tampered = "A6M1.k1." + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        assertThat(sealer.open(tampered, "route#1")).isEmpty();
        assertThat(sealer.open(token.substring(0, token.length() - 2), "route#1"))
                .isEmpty();
        assertThat(sealer.open("garbage", "route#1")).isEmpty();
    }

    @Test
    void shouldAcceptOnlyTheCanonicalSpellingOfAnId() {
        SessionSealer sealer = sealer(Map.of("k1", k1), "k1");
        int accepted = 0;
        int variants = 0;
        for (int i = 0; i < 200; i++) {
            String token = sealer.seal(session(), "route#1");
            assertThat(sealer.open(token, "route#1")).isPresent();
            String body = token.substring("A6M1.k1.".length());
            java.util.List<String> spellings = new java.util.ArrayList<>();
            spellings.add(token + "=");
            spellings.add(token + "==");
            // The same bytes with other values in the unused low bits of the last character.
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            for (char c : alphabet.toCharArray()) {
                String other = token.substring(0, token.length() - 1) + c;
                if (!other.equals(token)
                        && java.util.Arrays.equals(
                                Base64.getUrlDecoder().decode(body),
                                Base64.getUrlDecoder().decode(other.substring("A6M1.k1.".length())))) {
                    spellings.add(other);
                }
            }
            for (String spelling : spellings) {
                variants++;
                if (sealer.open(spelling, "route#1").isPresent()) {
                    accepted++;
                }
            }
        }
        assertThat(variants).isGreaterThan(200);
        assertThat(accepted).isZero();
    }

    @Test
    void shouldRefuseExpiredId() {
        SessionSealer sealer = sealer(Map.of("k1", k1), "k1");
        String token = sealer.seal(session(), "route#1");
        clock.advance(Duration.ofMinutes(61));
        assertThat(sealer.open(token, "route#1")).isEmpty();
    }

    @Test
    void shouldRefuseIdSealedForAnotherAudienceOrUnknownKey() {
        String token = sealer(Map.of("k1", k1), "k1").seal(session(), "route#1");
        assertThat(sealer(Map.of("k1", k1), "k1").open(token, "route#2")).isEmpty();
        assertThat(sealer(Map.of("k1", k2), "k1").open(token, "route#1"))
                .as("same id, other key")
                .isEmpty();
        assertThat(sealer(Map.of("k2", k2), "k2").open(token, "route#1"))
                .as("key no longer in ring")
                .isEmpty();
    }

    @Test
    void shouldOpenOldSessionsAfterRotationWhileOldKeyStaysInRing() {
        String old = sealer(Map.of("k1", k1), "k1").seal(session(), "route#1");
        SessionSealer rotated = sealer(Map.of("k1", k1, "k2", k2), "k2");
        assertThat(rotated.open(old, "route#1")).contains(session());
        String fresh = rotated.seal(session(), "route#1");
        assertThat(fresh).startsWith("A6M1.k2.");
        assertThat(sealer(Map.of("k2", k2), "k2").open(fresh, "route#1")).contains(session());
    }

    @Test
    void shouldKeepUpstreamFeaturesInTheSealedUpstreamSessionAndOpenTheOlderForm() {
        UpstreamClient.Session session = new UpstreamClient.Session(
                Optional.of("a|b"),
                "2025-11-25",
                Optional.of(Set.of(ServerFeature.TOOLS, ServerFeature.RESOURCES, ServerFeature.RESOURCES_SUBSCRIBE)));
        assertThat(session.encode()).isEqualTo("2025-11-25;trs|a|b");
        assertThat(UpstreamClient.Session.decode(session.encode())).contains(session);
        UpstreamClient.Session older =
                UpstreamClient.Session.decode("2025-06-18|sid").orElseThrow();
        assertThat(older.features()).isEmpty();
        assertThat(older.mayOffer(ServerFeature.PROMPTS))
                .as("unknown: ask the upstream")
                .isTrue();
        assertThat(session.mayOffer(ServerFeature.PROMPTS)).isFalse();
    }

    @Test
    void shouldOpenARecentlyOpenedIdFromItsCacheWhenItComesAgain() {
        SessionSealer sealer = sealer(Map.of("k1", k1), "k1");
        String token = sealer.seal(session(), "route#1");

        SessionContext first = sealer.open(token, "route#1").orElseThrow();
        SessionContext again = sealer.open(token, "route#1").orElseThrow();

        assertThat(again).as("not unsealed again").isSameAs(first);
        clock.advance(SessionSealer.OPENED_TTL.plusSeconds(1));
        assertThat(sealer.open(token, "route#1").orElseThrow())
                .as("unsealed again after the cache's time to live")
                .isNotSameAs(first)
                .isEqualTo(first);
    }

    @Test
    void shouldStopOpeningACachedIdAtItsExpiry() {
        SessionSealer sealer = sealer(Map.of("k1", k1), "k1");
        SessionContext shortLived = new SessionContext(
                "sid-2",
                "2025-11-25",
                "client",
                "1.0",
                "alice",
                Map.of(),
                "abcd",
                clock.instant().plusSeconds(10));
        String token = sealer.seal(shortLived, "route#1");
        assertThat(sealer.open(token, "route#1")).isPresent();

        clock.advance(Duration.ofSeconds(10));

        assertThat(sealer.open(token, "route#1")).isEmpty();
    }

    @Test
    void shouldNotOpenACachedIdForAnotherAudience() {
        SessionSealer sealer = sealer(Map.of("k1", k1), "k1");
        String token = sealer.seal(session(), "route#1");
        assertThat(sealer.open(token, "route#1")).isPresent();

        assertThat(sealer.open(token, "route#2")).isEmpty();
    }
}
