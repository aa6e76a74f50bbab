package org.a6suite.runner.lane;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestDecision.Rewrite;
import org.a6suite.runner.chain.RequestOutcome;

/**
 * Turns a pre-req chain's {@link RequestOutcome} into the decision APISIX receives, as far as the lane is concerned:
 *
 * <ul>
 *   <li>a Rewrite to the lane gets request header {@value Handoff#HEADER} set to a fresh handoff (replacing any
 *       value a client sent, and any edit of that header a plugin made);</li>
 *   <li>otherwise, if the client sent {@value Handoff#HEADER}, the decision gets an edit deleting it, so a client
 *       copy never reaches an upstream (which may be the lane of a route whose own chain did not ask for it);</li>
 *   <li>anything else passes unchanged, so a plain Proceed stays a None action, as cheap as without a lane.</li>
 * </ul>
 *
 * A Stop never reaches an upstream and is left alone.
 */
public final class HandoffStamper {

    private static final Rewrite.HeaderEdit DELETE = new Rewrite.HeaderEdit(Handoff.HEADER, Optional.empty());

    private final HandoffSigner signer;

    public HandoffStamper(HandoffSigner signer) {
        this.signer = requireNonNull(signer, "signer");
    }

    /**
     * @param outcome           the chain's outcome
     * @param confToken         the token of the call's chain
     * @param requestId         APISIX's call id
     * @param clientSentHandoff whether the request APISIX described carries {@value Handoff#HEADER}
     */
    public RequestDecision decide(RequestOutcome outcome, long confToken, long requestId, boolean clientSentHandoff) {
        requireNonNull(outcome, "outcome");
        return switch (outcome.decision()) {
            case RequestDecision.Stop stop -> stop;
            case RequestDecision.Proceed proceed ->
                clientSentHandoff
                        ? new Rewrite(Optional.empty(), List.of(DELETE), List.of(), List.of(), Optional.empty())
                        : proceed;
            case Rewrite rewrite
            when outcome.laneLink().isPresent() ->
                withHeader(
                        rewrite,
                        new Rewrite.HeaderEdit(
                                Handoff.HEADER,
                                Optional.of(signer.stamp(
                                        confToken, outcome.laneLink().getAsInt(), requestId))));
            case Rewrite rewrite -> clientSentHandoff || touches(rewrite) ? withHeader(rewrite, DELETE) : rewrite;
        };
    }

    private static boolean touches(Rewrite rewrite) {
        for (Rewrite.HeaderEdit edit : rewrite.headers()) {
            if (edit.name().equalsIgnoreCase(Handoff.HEADER)) {
                return true;
            }
        }
        return false;
    }

    /** {@code rewrite} with every edit of the handoff header replaced by {@code edit}. */
    private static Rewrite withHeader(Rewrite rewrite, Rewrite.HeaderEdit edit) {
        List<Rewrite.HeaderEdit> headers = new ArrayList<>(rewrite.headers().size() + 1);
        for (Rewrite.HeaderEdit h : rewrite.headers()) {
            if (!h.name().equalsIgnoreCase(Handoff.HEADER)) {
                headers.add(h);
            }
        }
        headers.add(edit);
        return new Rewrite(
                rewrite.path(), headers, rewrite.args(), rewrite.responseHeaders(), rewrite.body(), rewrite.lane());
    }
}
