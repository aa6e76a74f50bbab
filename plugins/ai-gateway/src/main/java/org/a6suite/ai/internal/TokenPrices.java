package org.a6suite.ai.internal;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.internal.provider.Usage;

/**
 * A target's token prices in USD per million tokens, and what a number of tokens costs at them. Exact decimal
 * arithmetic, rounded once to {@value #SCALE} decimals (a hundred-millionth of a dollar), so the cost in headers, call
 * logs and metrics is the same number. This wraps the configuration's price record, so pricing does not depend on
 * how the configuration is parsed.
 */
public record TokenPrices(BigDecimal inputPerMillion, BigDecimal outputPerMillion) {

    /** Decimals of a reported cost. */
    public static final int SCALE = 8;
    /** Zero prices: every usage costs 0 (the default when a target configures none). */
    public static final TokenPrices FREE = new TokenPrices(BigDecimal.ZERO, BigDecimal.ZERO);

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    public TokenPrices {
        requireNonNull(inputPerMillion, "inputPerMillion");
        requireNonNull(outputPerMillion, "outputPerMillion");
        if (inputPerMillion.signum() < 0 || outputPerMillion.signum() < 0) {
            throw new IllegalArgumentException(
                    "prices: " + inputPerMillion + "/" + outputPerMillion + " (expected: >= 0)");
        }
    }

    /** The prices configured on {@code target}. */
    public static TokenPrices of(AiGatewayConfig.Target target) {
        AiGatewayConfig.Price price = target.price();
        return new TokenPrices(
                BigDecimal.valueOf(price.inputPerMillion()), BigDecimal.valueOf(price.outputPerMillion()));
    }

    /** USD for {@code inputTokens} and {@code outputTokens}, rounded half-up to {@value #SCALE} decimals. */
    public BigDecimal cost(long inputTokens, long outputTokens) {
        BigDecimal micros = inputPerMillion
                .multiply(BigDecimal.valueOf(inputTokens))
                .add(outputPerMillion.multiply(BigDecimal.valueOf(outputTokens)));
        return micros.divide(MILLION, SCALE, RoundingMode.HALF_UP).stripTrailingZeros();
    }

    /** USD for {@code usage}. */
    public BigDecimal cost(Usage usage) {
        return cost(usage.input(), usage.output());
    }
}
