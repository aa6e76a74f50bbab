package org.a6suite.runner.conf;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Requirements;

/**
 * A route's plugin chain as prepared by one PrepareConf: the route key APISIX sent with it, and a {@link Template}
 * holding the links in the route's {@code conf} order and what the chain needs from APISIX in each phase, computed
 * once so a call only has to ask.
 *
 * <p>The template depends on the {@code conf} entries only, so tokens whose {@code conf} is identical (one route
 * re-prepared every hour, pre-req and post-req tokens, many routes with one configuration) share one template
 * ({@link ChainPreparer} does the sharing); a token then costs its store entry, its route key and this small record.
 *
 * @param routeKey APISIX's key ({@code route#1#ext-plugin-pre-req#148}), if it sent one
 * @param template the links and their needs, shared between tokens with the same {@code conf}
 * @param phase    the ext-plugin phase the route key names
 * @param routeId  the route key's {@code conf_type#conf_id} ({@link CallContext#routeIdOf}), derived once here so
 *                 that building each call's {@link CallContext} derives nothing
 */
public record PreparedChain(
        Optional<String> routeKey, Template template, CallContext.Phase phase, Optional<String> routeId) {

    public PreparedChain {
        requireNonNull(routeKey, "routeKey");
        requireNonNull(template, "template");
        requireNonNull(phase, "phase");
        requireNonNull(routeId, "routeId");
    }

    /** Builds the chain and its per-phase requirements from prepared links (nothing shared). */
    public static PreparedChain of(Optional<String> routeKey, List<ChainLink<?>> links) {
        return of(routeKey, Template.of(links, Needs.of(links)));
    }

    /** A chain for {@code routeKey} on an existing (possibly shared) template. */
    public static PreparedChain of(Optional<String> routeKey, Template template) {
        return new PreparedChain(
                routeKey,
                template,
                routeKey.map(CallContext.Phase::fromRouteKey).orElse(CallContext.Phase.UNKNOWN),
                CallContext.routeIdOf(routeKey));
    }

    /** The plugins with their parsed configurations, in conf order. */
    public List<ChainLink<?>> links() {
        return template.links();
    }

    /** The union of the links' needs for HTTPReqCall; never asks for the response body. */
    public Requirements requestRequirements() {
        return template.needs().request();
    }

    /** The union of the links' needs for HTTPRespCall. */
    public Requirements responseRequirements() {
        return template.needs().response();
    }

    /** The ExtraInfo frames an HTTPReqCall sends, encoded once. */
    public Questions requestQuestions() {
        return template.needs().requestQuestions();
    }

    /** The ExtraInfo frames an HTTPRespCall sends, encoded once. */
    public Questions responseQuestions() {
        return template.needs().responseQuestions();
    }

    public boolean isEmpty() {
        return template.links().isEmpty();
    }

    /** The call context for a call with {@code requestId} on this chain. */
    public CallContext context(long requestId) {
        return new CallContext(routeKey, requestId, phase, routeId);
    }

    /**
     * What a chain is apart from its route: immutable, so any number of tokens may share one.
     *
     * @param links the plugins with their parsed configurations, in conf order
     * @param needs what the links need from APISIX per phase
     */
    public record Template(List<ChainLink<?>> links, Needs needs) {
        public Template {
            links = List.copyOf(links);
            requireNonNull(needs, "needs");
        }

        static Template of(List<ChainLink<?>> links, Needs needs) {
            return new Template(links, needs);
        }
    }

    /**
     * What a chain asks APISIX in each phase; chains with equal needs share one (see {@link ChainPreparer}).
     *
     * @param request           the union of the links' needs for HTTPReqCall, response body left out: APISIX
     *                          cannot give it in that phase
     * @param response          the union of the links' needs for HTTPRespCall
     * @param requestQuestions  the ExtraInfo frames an HTTPReqCall sends
     * @param responseQuestions the ExtraInfo frames an HTTPRespCall sends
     */
    public record Needs(
            Requirements request, Requirements response, Questions requestQuestions, Questions responseQuestions) {
        public Needs {
            requireNonNull(request, "request");
            requireNonNull(response, "response");
            requireNonNull(requestQuestions, "requestQuestions");
            requireNonNull(responseQuestions, "responseQuestions");
        }

        static Needs of(List<ChainLink<?>> links) {
            return of(union(links));
        }

        /** The needs of a chain whose links together need {@code all}. */
        static Needs of(Requirements all) {
            Requirements request = new Requirements(all.vars(), all.requestBody(), false);
            return new Needs(request, all, Questions.of(request, false), Questions.of(all, true));
        }

        static Requirements union(List<ChainLink<?>> links) {
            Requirements all = Requirements.NONE;
            for (ChainLink<?> link : links) {
                all = all.plus(link.requirements());
            }
            return all;
        }
    }
}
