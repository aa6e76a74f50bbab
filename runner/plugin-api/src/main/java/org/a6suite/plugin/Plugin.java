package org.a6suite.plugin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A plugin that APISIX routes name in {@code ext-plugin-pre-req}, {@code ext-plugin-post-req} or
 * {@code ext-plugin-post-resp} as {@code {"name": name(), "value": "<config>"}}.
 *
 * <p>The runner parses the route's {@code value} once, when APISIX prepares the route (PrepareConf), through
 * {@link #parseConfig(String)}; a {@link PluginConfigException} fails that PrepareConf, so a route with a bad
 * configuration never serves traffic with a half-understood one. Each call then gets the parsed, immutable config.
 *
 * <p>Calls are async: a plugin returns a {@link CompletionStage} and must not block the calling thread unless it
 * declares {@link Execution#BLOCKING}, in which case the runner calls it on a worker thread, never on an I/O thread.
 * Instances are discovered with {@link java.util.ServiceLoader} (service {@code org.a6suite.plugin.Plugin}) and are
 * shared by every route and call: keep per-call state in locals, shared state in thread-safe structures.
 *
 * @param <C> the plugin's immutable configuration type
 */
public interface Plugin<C> {

    /** The name routes use in their {@code conf} list; 1 to 128 characters, unique within a runner. */
    String name();

    /**
     * Parses and validates a route's configuration value. Called once per PrepareConf, never per request.
     *
     * @param value the raw {@code value} string of the route's conf entry; {@code ""} when the route gave none
     * @throws PluginConfigException naming the field, the bad value and what was expected
     */
    C parseConfig(String value) throws PluginConfigException;

    /** What the runner must fetch from APISIX before calling this plugin with {@code config}. */
    default Requirements requirements(C config) {
        return Requirements.NONE;
    }

    /** Whether this plugin's callbacks may block; blocking plugins never run on an I/O thread. */
    default Execution execution() {
        return Execution.NON_BLOCKING;
    }

    /** Called once before the first request, with the runner's shared services. */
    default void start(PluginEnvironment environment) {}

    /** Request phase (HTTPReqCall: {@code ext-plugin-pre-req} and {@code ext-plugin-post-req}). */
    default CompletionStage<RequestDecision> onRequest(RequestView request, C config, CallContext context) {
        return CompletableFuture.completedFuture(RequestDecision.proceed());
    }

    /** Response phase (HTTPRespCall: {@code ext-plugin-post-resp}). */
    default CompletionStage<ResponseDecision> onResponse(ResponseView response, C config, CallContext context) {
        return CompletableFuture.completedFuture(ResponseDecision.pass());
    }

    /**
     * Lane phase: answers a request APISIX proxied to the runner's HTTP lane after this plugin, in
     * {@code ext-plugin-pre-req}, returned a {@link RequestDecision.Rewrite} marked {@link
     * RequestDecision.Rewrite.Builder#toLane() toLane()}. {@code config} is the configuration parsed at that route's
     * PrepareConf; {@code request} is the request as APISIX forwarded it (after every rewrite), with its whole body,
     * the client address from {@code X-Real-IP}, and no vars (a plugin that needs one asks for it in pre-req and
     * passes it on as a request header of its Rewrite). {@code context.requestId()} is the id of the pre-req call.
     *
     * <p>If the client goes away before the stage completes, the runner cancels it
     * ({@code toCompletableFuture().cancel(false)}); a plugin that started outbound work must abort it then. The
     * default answers 501: the plugin does not serve the lane.
     */
    default CompletionStage<LaneResponse> onLane(RequestView request, C config, CallContext context) {
        return CompletableFuture.completedFuture(LaneResponse.whole(
                501,
                Headers.of("content-type", "text/plain; charset=utf-8"),
                Body.of("plugin " + name() + " does not serve the runner's HTTP lane\n")));
    }

    /** Called once when the runner stops; release what {@link #start} acquired. */
    default void close() {}
}
