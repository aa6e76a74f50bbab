package org.a6suite.plugins.fallback.internal;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.a6suite.http.OutboundRequest;
import org.a6suite.http.OutboundResponse;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugins.fallback.FallbackConfig;
import org.a6suite.resilience.Deadline;

/**
 * One attempt on one node: sends the prepared request on the keep-alive pool, holds the response body back to its
 * commit point ({@link RelayBody}) and reports the node's outcome. Its {@link #result()} completes with the
 * {@link Attempted} at the commit point, or fails with the send's or the body's error; cancelling it closes the
 * connection (the outbound client's rule) and counts as a timeout of the node when the deadline had passed.
 *
 * <p>Signals arrive on the outbound client's event loop; nothing here blocks.
 */
final class UpstreamExchange {

    /** Where the exchange reports its response head, so the call can give it up if another attempt wins. */
    interface Heads {
        void headArrived(Attempted attempted);
    }

    private final ProxyEnvironment env;
    private final LaneRoute route;
    private final FallbackConfig config;
    private final RequestView request;
    private final RouteState state;
    private final UpstreamSpec.Node node;
    private final Deadline deadline;
    private final long t0;
    private final CompletableFuture<Attempted> result = new CompletableFuture<>();
    private CompletableFuture<OutboundResponse> sent;

    private UpstreamExchange(
            ProxyEnvironment env,
            LaneRoute route,
            FallbackConfig config,
            RequestView request,
            RouteState state,
            UpstreamSpec.Node node,
            Deadline deadline) {
        this.env = env;
        this.route = route;
        this.config = config;
        this.request = request;
        this.state = state;
        this.node = node;
        this.deadline = deadline;
        this.t0 = env.ticker().nanoTime();
    }

    /** Starts one attempt of {@code prepared} on {@code node}. */
    static CompletableFuture<Attempted> start(
            ProxyEnvironment env,
            LaneRoute route,
            FallbackConfig config,
            RequestView request,
            RouteState state,
            PreparedRequest prepared,
            UpstreamSpec spec,
            UpstreamSpec.Node node,
            Deadline deadline,
            Heads heads) {
        UpstreamExchange x = new UpstreamExchange(env, route, config, request, state, node, deadline);
        OutboundRequest out = prepared.toNode(spec, node, deadline);
        x.sent = env.client().send(out);
        x.sent.whenComplete((response, error) -> {
            if (error != null) {
                x.failed(Optional.empty(), unwrap(error));
            } else {
                x.headArrived(response, heads);
            }
        });
        x.result.whenComplete((r, e) -> {
            if (x.result.isCancelled()) {
                x.cancelled(e);
            }
        });
        return x.result;
    }

    private void headArrived(OutboundResponse response, Heads heads) {
        int status = response.status();
        boolean cacheable =
                config.goodStatuses().contains(status) && config.methods().contains(request.method());
        org.a6suite.plugin.Headers headers = LaneAnswers.relayedHeaders(response);
        Consumer<Optional<Body>> onEnd = cacheable
                ? captured -> captured.ifPresent(b -> env.fallbacks().store(request, config, state, status, headers, b))
                : captured -> {};
        RelayBody relay = new RelayBody(
                LaneAnswers.isStream(response) ? 0 : route.settings.commitBytes(),
                cacheable ? config.cache().maxBodyBytes() : -1,
                onEnd);
        Attempted attempted = new Attempted(node, response, headers, relay);
        heads.headArrived(attempted);
        relay.committed().whenComplete((r, bodyError) -> {
            if (bodyError != null) {
                failed(Optional.of(status), unwrap(bodyError));
            } else {
                NodeOutcomes.record(env, route.upstreamKey, node, Optional.of(status), t0, null);
                if (!result.complete(attempted)) {
                    relay.abort();
                }
            }
        });
        response.body().subscribe(relay);
    }

    private void failed(Optional<Integer> status, Throwable cause) {
        if (!result.isCancelled()) {
            NodeOutcomes.record(env, route.upstreamKey, node, status, t0, cause);
        }
        result.completeExceptionally(cause);
    }

    private void cancelled(Throwable error) {
        sent.cancel(true);
        sent.thenAccept(OutboundResponse::abort);
        if (error != null && deadline.isExpired()) {
            NodeOutcomes.record(
                    env, route.upstreamKey, node, Optional.empty(), t0, new TimeoutException("attempt deadline"));
        }
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
