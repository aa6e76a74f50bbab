package org.a6suite.ai.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.a6suite.ai.internal.provider.Usage;
import org.junit.jupiter.api.Test;

class TokenPricesTest {

    private static final TokenPrices PRICES = new TokenPrices(new BigDecimal("2.5"), new BigDecimal("10"));

    @Test
    void shouldChargeInputAndOutputTokensAtTheirPerMillionPrices() {
        assertThat(PRICES.cost(new Usage(11, 7, false))).isEqualByComparingTo("0.0000975");
        assertThat(PRICES.cost(1_000_000, 1_000_000)).isEqualByComparingTo("12.5");
    }

    @Test
    void shouldRoundToEightDecimalsHalfUpWhenTheExactCostIsFiner() {
        TokenPrices cheap = new TokenPrices(new BigDecimal("0.15"), BigDecimal.ZERO);

        assertThat(cheap.cost(1, 0)).isEqualTo(new BigDecimal("1.5E-7"));
        assertThat(new TokenPrices(new BigDecimal("0.005"), BigDecimal.ZERO).cost(1, 0))
                .isEqualTo(new BigDecimal("1E-8"));
    }

    @Test
    void shouldCostNothingWhenFree() {
        assertThat(TokenPrices.FREE.cost(new Usage(123_456, 789, true))).isEqualByComparingTo("0");
    }

    @Test
    void shouldRejectNegativePrices() {
        assertThatThrownBy(() -> new TokenPrices(new BigDecimal("-1"), BigDecimal.ONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: >= 0");
    }
}
