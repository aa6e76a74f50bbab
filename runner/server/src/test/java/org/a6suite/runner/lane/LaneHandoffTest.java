package org.a6suite.runner.lane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestDecision.Rewrite;
import org.a6suite.runner.chain.RequestOutcome;
import org.a6suite.runner.testing.ManualClock;
import org.junit.jupiter.api.Test;

class LaneHandoffTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-05T10:00:00Z"));
    private final HandoffSigner signer = new HandoffSigner(KEY, clock, Duration.ofSeconds(30));

    @Test
    void shouldVerifyAFreshHandoffAndReturnItsFields() {
        String header = signer.stamp(2861, 1, 4194305);

        assertThat(header).matches("v1\\.2861\\.1\\.4194305\\.\\d+\\.[A-Za-z0-9_-]{22}");
        assertThat(signer.verify(header))
                .isEqualTo(
                        new HandoffSigner.Verification.Valid(new Handoff(2861, 1, 4194305, clock.millis() + 30_000)));
    }

    @Test
    void shouldRejectAHandoffOnceItsTtlHasPassed() {
        String header = signer.stamp(7, 0, 42);

        clock.advance(Duration.ofSeconds(30));
        assertThat(signer.verify(header)).isInstanceOf(HandoffSigner.Verification.Valid.class);
        clock.advance(Duration.ofMillis(1));
        assertThat(signer.verify(header)).isEqualTo(rejected(HandoffRejection.EXPIRED));
    }

    @Test
    void shouldRejectAHandoffWhoseSignedFieldWasChanged() {
        String header = signer.stamp(7, 0, 42);
        String[] f = header.split("\\.");

        assertThat(signer.verify(String.join(".", f[0], "8", f[2], f[3], f[4], f[5])))
                .as("another token")
                .isEqualTo(rejected(HandoffRejection.BAD_MAC));
        assertThat(signer.verify(String.join(".", f[0], f[1], "1", f[3], f[4], f[5])))
                .as("another link")
                .isEqualTo(rejected(HandoffRejection.BAD_MAC));
        assertThat(signer.verify(
                        String.join(".", f[0], f[1], f[2], f[3], Long.toString(Long.parseLong(f[4]) + 60_000), f[5])))
                .as("a later expiry")
                .isEqualTo(rejected(HandoffRejection.BAD_MAC));
    }

    @Test
    void shouldRejectAHandoffSignedByAnotherProcess() {
        HandoffSigner other = HandoffSigner.withRandomKey(clock, Duration.ofSeconds(30));

        assertThat(signer.verify(other.stamp(7, 0, 42))).isEqualTo(rejected(HandoffRejection.BAD_MAC));
    }

    @Test
    void shouldRejectMissingAndMalformedHandoffs() {
        String valid = signer.stamp(7, 0, 42);

        assertThat(signer.verify(null)).isEqualTo(rejected(HandoffRejection.MISSING));
        assertThat(signer.verify("")).isEqualTo(rejected(HandoffRejection.MALFORMED));
        assertThat(signer.verify(valid.replaceFirst("v1", "v2"))).isEqualTo(rejected(HandoffRejection.MALFORMED));
        assertThat(signer.verify(valid + ".x")).isEqualTo(rejected(HandoffRejection.MALFORMED));
        assertThat(signer.verify(valid.replace(".7.", ".07."))).isEqualTo(rejected(HandoffRejection.MALFORMED));
        assertThat(signer.verify(valid.replace(".7.", ".-7."))).isEqualTo(rejected(HandoffRejection.MALFORMED));
        assertThat(signer.verify(valid.substring(0, valid.length() - 2)))
                .isEqualTo(rejected(HandoffRejection.MALFORMED));
        assertThat(signer.verify("v1." + "9".repeat(200))).isEqualTo(rejected(HandoffRejection.MALFORMED));
    }

    @Test
    void shouldStampTheHandoffOnARewriteToTheLaneReplacingAnyOtherValue() {
        HandoffStamper stamper = new HandoffStamper(signer);
        Rewrite rewrite = RequestDecision.rewrite()
                .setHeader("x-a6-lane", "plugin-made")
                .setHeader("x-user", "u1")
                .toLane()
                .build();

        RequestDecision decided = stamper.decide(new RequestOutcome(rewrite, OptionalInt.of(2)), 7, 42, true);

        Rewrite stamped = (Rewrite) decided;
        assertThat(stamped.headers()).hasSize(2);
        assertThat(stamped.headers().get(0).name()).isEqualTo("x-user");
        Rewrite.HeaderEdit handoff = stamped.headers().get(1);
        assertThat(handoff.name()).isEqualTo(Handoff.HEADER);
        assertThat(signer.verify(handoff.value().orElseThrow()))
                .isEqualTo(new HandoffSigner.Verification.Valid(new Handoff(7, 2, 42, clock.millis() + 30_000)));
    }

    @Test
    void shouldLeaveAPlainProceedUntouchedWhenTheClientSentNoHandoff() {
        HandoffStamper stamper = new HandoffStamper(signer);

        assertThat(stamper.decide(RequestOutcome.of(RequestDecision.proceed()), 7, 42, false))
                .isSameAs(RequestDecision.proceed());
    }

    @Test
    void shouldDeleteAClientSentHandoffWhenTheChainDoesNotHandOff() {
        HandoffStamper stamper = new HandoffStamper(signer);
        Rewrite.HeaderEdit delete = new Rewrite.HeaderEdit(Handoff.HEADER, Optional.empty());

        assertThat(stamper.decide(RequestOutcome.of(RequestDecision.proceed()), 7, 42, true))
                .isEqualTo(new Rewrite(Optional.empty(), List.of(delete), List.of(), List.of(), Optional.empty()));
        Rewrite plain = RequestDecision.rewrite().path("/x").build();
        assertThat(((Rewrite) stamper.decide(RequestOutcome.of(plain), 7, 42, true)).headers())
                .containsExactly(delete);
        assertThat(stamper.decide(RequestOutcome.of(plain), 7, 42, false)).isSameAs(plain);
        RequestDecision stop = RequestDecision.stop(403).build();
        assertThat(stamper.decide(RequestOutcome.of(stop), 7, 42, true)).isSameAs(stop);
    }

    private static HandoffSigner.Verification rejected(HandoffRejection reason) {
        return new HandoffSigner.Verification.Rejected(reason);
    }
}
