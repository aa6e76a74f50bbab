package org.a6suite.runner.chain;

import static java.util.Objects.requireNonNull;

import java.util.OptionalInt;
import org.a6suite.plugin.RequestDecision;

/**
 * What a request-phase chain run decided: the one decision APISIX applies, and which link (its index in the chain)
 * asked for a lane handoff, if one did. The index is present exactly when {@code decision} is a
 * {@link RequestDecision.Rewrite} with {@code lane() == true}.
 *
 * @param decision the merged decision
 * @param laneLink the index of the link whose {@code onLane} the lane calls
 */
public record RequestOutcome(RequestDecision decision, OptionalInt laneLink) {

    public RequestOutcome {
        requireNonNull(decision, "decision");
        requireNonNull(laneLink, "laneLink");
        boolean lane = decision instanceof RequestDecision.Rewrite r && r.lane();
        if (lane != laneLink.isPresent()) {
            throw new IllegalArgumentException("laneLink: " + laneLink + " (expected: present exactly when the "
                    + "decision is a Rewrite to the lane)");
        }
    }

    /** An outcome without a handoff. */
    public static RequestOutcome of(RequestDecision decision) {
        return new RequestOutcome(decision, OptionalInt.empty());
    }
}
