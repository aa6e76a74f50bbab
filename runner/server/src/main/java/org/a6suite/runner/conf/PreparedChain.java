package org.a6suite.runner.conf;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Requirements;

/**
 * A route's plugin chain as prepared by one PrepareConf: the links in the route's {@code conf} order, and what the
 * chain needs from APISIX in each phase, computed once so a call only has to ask.
 *
 * @param routeKey              APISIX's key ({@code route#1#ext-plugin-pre-req#148}), if it sent one
 * @param links                 the plugins with their parsed configurations, in conf order
 * @param requestRequirements   the union of the links' needs for HTTPReqCall; never asks for the response body,
 *                              which APISIX cannot give in that phase
 * @param responseRequirements  the union of the links' needs for HTTPRespCall
 * @param requestQuestions      the ExtraInfo frames an HTTPReqCall sends, encoded once
 * @param responseQuestions     the ExtraInfo frames an HTTPRespCall sends, encoded once
 * @param phase                 the ext-plugin phase the route key names
 */
public record PreparedChain(Optional<String> routeKey, List<ChainLink<?>> links, Requirements requestRequirements,
                            Requirements responseRequirements, Questions requestQuestions,
                            Questions responseQuestions, CallContext.Phase phase) {

    public PreparedChain {
        requireNonNull(routeKey, "routeKey");
        links = List.copyOf(links);
        requireNonNull(requestRequirements, "requestRequirements");
        requireNonNull(responseRequirements, "responseRequirements");
        requireNonNull(requestQuestions, "requestQuestions");
        requireNonNull(responseQuestions, "responseQuestions");
        requireNonNull(phase, "phase");
    }

    /** Builds the chain and its per-phase requirements from prepared links. */
    public static PreparedChain of(Optional<String> routeKey, List<ChainLink<?>> links) {
        Requirements all = Requirements.NONE;
        for (ChainLink<?> link : links) {
            all = all.plus(link.requirements());
        }
        Requirements request = new Requirements(all.vars(), all.requestBody(), false);
        // APISIX cannot give the response body during HTTPReqCall, so it is never asked for there.
        return new PreparedChain(routeKey, links, request, all, Questions.of(request, false), Questions.of(all, true),
                routeKey.map(CallContext.Phase::fromRouteKey).orElse(CallContext.Phase.UNKNOWN));
    }

    public boolean isEmpty() {
        return links.isEmpty();
    }

    /** The call context for a call with {@code requestId} on this chain. */
    public CallContext context(long requestId) {
        return new CallContext(routeKey, requestId, phase);
    }
}
