package org.a6suite.runner.conf;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConfTokenStoreTest {

    private final AtomicLong nanos = new AtomicLong();
    private final PreparedChain chain = PreparedChain.of(Optional.of("route#1#ext-plugin-pre-req#1"), List.of());

    @Test
    void shouldNeverHandOutZeroWhenTheCounterWraps() {
        ConfTokenStore store = new ConfTokenStore(Duration.ofHours(2), nanos::get, 100, 0xFFFF_FFFFL);
        assertThat(store.register(chain)).isEqualTo(0xFFFF_FFFFL);
        assertThat(store.register(chain)).isEqualTo(1);
    }

    @Test
    void shouldCountUpFromTheFirstToken() {
        ConfTokenStore store = new ConfTokenStore(Duration.ofHours(2), nanos::get, 100, 5);
        assertThat(store.register(chain)).isEqualTo(5);
        assertThat(store.register(chain)).isEqualTo(6);
        assertThat(store.lookup(5)).contains(chain);
        assertThat(store.lookup(7)).isEmpty();
    }

    @Test
    void shouldForgetATokenAfterTheRetentionWithoutUse() {
        ConfTokenStore store = new ConfTokenStore(Duration.ofSeconds(100), nanos::get, 100, 1);
        long token = store.register(chain);
        nanos.addAndGet(Duration.ofSeconds(99).toNanos());
        assertThat(store.lookup(token)).isPresent();
        nanos.addAndGet(Duration.ofSeconds(99).toNanos());
        assertThat(store.lookup(token))
                .as("the lookup at 99 s restarted the idle timer")
                .isPresent();
        nanos.addAndGet(Duration.ofSeconds(101).toNanos());
        assertThat(store.lookup(token)).isEmpty();
    }

    @Test
    void shouldKeepATokenInUseAliveThoughMostLookupsAreNotRecorded() {
        ConfTokenStore store = new ConfTokenStore(Duration.ofSeconds(100), nanos::get, 100, 1);
        long token = store.register(chain);
        // A call every 300 ms for three retention periods: only about one lookup in four restarts the idle timer.
        for (int i = 0; i < 1_000; i++) {
            nanos.addAndGet(Duration.ofMillis(300).toNanos());
            assertThat(store.lookup(token)).as("after %d ms", (i + 1) * 300).contains(chain);
        }
        nanos.addAndGet(Duration.ofSeconds(99).toNanos());
        assertThat(store.lookup(token)).as("idle for less than the retention").contains(chain);
        nanos.addAndGet(Duration.ofSeconds(101).toNanos());
        assertThat(store.lookup(token)).as("idle past it").isEmpty();
    }

    @Test
    void shouldForgetATokenLookedUpOnlyWithinOneRecordingIntervalOnceTheRetentionPassed() {
        ConfTokenStore store = new ConfTokenStore(Duration.ofSeconds(100), nanos::get, 100, 1);
        long token = store.register(chain);
        nanos.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(store.lookup(token))
                .as("not recorded: within a second of the registration")
                .isPresent();
        // 100.2 s after the registration, 99.7 s after that lookup: the idle timer runs from the registration.
        nanos.addAndGet(Duration.ofMillis(99_700).toNanos());
        assertThat(store.lookup(token)).isEmpty();
    }

    @Test
    void shouldHoldAtMostTheDocumentedCapAfterTwiceAsManyTokens() {
        ConfTokenStore store =
                new ConfTokenStore(Duration.ofHours(2), nanos::get, ConfTokenStore.DEFAULT_MAX_TOKENS, 1);
        long first = 0;
        long last = 0;
        for (long i = 0; i < 2 * ConfTokenStore.DEFAULT_MAX_TOKENS; i++) {
            long token = store.register(
                    PreparedChain.of(Optional.of("route#" + i + "#ext-plugin-pre-req#1"), chain.template()));
            first = i == 0 ? token : first;
            last = token;
        }
        // Caffeine bounds its size eventually; size() runs the pending maintenance (cleanUp) first.
        assertThat(store.size()).isLessThanOrEqualTo(ConfTokenStore.DEFAULT_MAX_TOKENS);
        assertThat(store.lookup(last)).as("the newest token is kept").isPresent();
        assertThat(store.lookup(first))
                .as("the oldest, never used again, is gone")
                .isEmpty();
    }

    @Test
    void shouldKeepTokensTwiceTheApisixExpireTime() {
        assertThat(ConfTokenStore.retentionFor(Duration.ofSeconds(3600))).isEqualTo(Duration.ofSeconds(7200));
    }
}
