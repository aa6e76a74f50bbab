package org.a6suite.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Both budgets' sliding windows are checked by one rule: window in [1 s, 1 h], buckets in [1, 600]. */
class BudgetWindowTest {

    @Test
    void shouldRefuseAWindowShorterThanOneSecondNamingTheFieldAndTheRange() {
        assertThatThrownBy(() -> RetryBudgetConfig.builder()
                        .window(Duration.ofMillis(999))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("window: PT0.999S (expected: PT1S <= window <= PT1H)");
        assertThatThrownBy(() -> HedgeBudgetConfig.builder()
                        .window(Duration.ofMillis(999))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("window: PT0.999S (expected: PT1S <= window <= PT1H)");
    }

    @Test
    void shouldRefuseAWindowLongerThanOneHour() {
        assertThatThrownBy(() -> HedgeBudgetConfig.builder()
                        .window(Duration.ofHours(1).plusSeconds(1))
                        .build())
                .hasMessage("window: PT1H1S (expected: PT1S <= window <= PT1H)");
        assertThatThrownBy(() -> RetryBudgetConfig.builder()
                        .window(Duration.ofHours(1).plusSeconds(1))
                        .build())
                .hasMessage("window: PT1H1S (expected: PT1S <= window <= PT1H)");
    }

    @Test
    void shouldRefuseBucketsOutsideOneToSixHundred() {
        assertThatThrownBy(() -> RetryBudgetConfig.builder().windowBuckets(0).build())
                .hasMessage("windowBuckets: 0 (expected: 1 <= windowBuckets <= 600)");
        assertThatThrownBy(() -> HedgeBudgetConfig.builder().windowBuckets(601).build())
                .hasMessage("windowBuckets: 601 (expected: 1 <= windowBuckets <= 600)");
    }

    @Test
    void shouldAcceptTheBoundsThemselves() {
        assertThat(RetryBudgetConfig.builder()
                        .window(Duration.ofSeconds(1))
                        .windowBuckets(600)
                        .build()
                        .window())
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(HedgeBudgetConfig.builder()
                        .window(Duration.ofHours(1))
                        .windowBuckets(1)
                        .build()
                        .windowBuckets())
                .isEqualTo(1);
    }
}
