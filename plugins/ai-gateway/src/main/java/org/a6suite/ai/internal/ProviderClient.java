package org.a6suite.ai.internal;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.a6suite.ai.internal.outbound.Outbound;
import org.a6suite.ai.internal.provider.ProviderRequest;
import org.a6suite.ai.internal.provider.Wire;
import org.a6suite.http.OutboundClient;
import org.a6suite.http.OutboundResponse;
import org.a6suite.resilience.Deadline;

/**
 * Sends provider requests for whole answers with the project's shared outbound client: no thread waits for a
 * response. A request's head and read-idle limits are its deadline's remaining time; cancelling the returned future
 * closes the connection, which aborts the exchange.
 */
public final class ProviderClient {

    /** Larger answers (a huge embeddings batch) fail as too large instead of filling the heap. */
    static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

    /**
     * A provider's response: status, headers and the whole body. The headers stay the client's own: only a failure
     * reads them (Retry-After, request ids), so a success never pays for converting them.
     */
    public record Response(int status, org.a6suite.http.OutboundHeaders headers, byte[] body) {}

    private final OutboundClient client;
    private final Clock clock;

    public ProviderClient(OutboundClient client, Clock clock) {
        this.client = requireNonNull(client, "client");
        this.clock = requireNonNull(clock, "clock");
    }

    public Clock clock() {
        return clock;
    }

    public CompletableFuture<Response> send(ProviderRequest request, Deadline deadline) {
        Duration limit = deadline.isInfinite()
                ? Outbound.UNBOUNDED
                : Duration.ofNanos(Math.max(1_000_000, deadline.remainingNanos()));
        CompletableFuture<OutboundResponse> sent = client.send(Outbound.post(request, limit, limit));
        CompletableFuture<Response> out = new CompletableFuture<>();
        sent.whenComplete((response, error) -> {
            if (error != null) {
                out.completeExceptionally(Outbound.translate(error));
                return;
            }
            if (out.isDone()) {
                response.abort();
                return;
            }
            response.aggregate(MAX_BODY_BYTES).whenComplete((body, bodyError) -> {
                if (bodyError != null) {
                    out.completeExceptionally(Outbound.translate(bodyError));
                } else {
                    out.complete(new Response(response.status(), response.headers(), body));
                }
            });
            out.whenComplete((r, e) -> {
                if (out.isCancelled()) {
                    response.abort();
                }
            });
        });
        out.whenComplete((r, e) -> {
            if (out.isCancelled()) {
                sent.cancel(true);
            }
        });
        return out;
    }

    /** Throws the provider failure for a non-2xx response. */
    public void check(Response response) {
        if (response.status() < 200 || response.status() > 299) {
            throw Wire.error(response.status(), Outbound.headers(response.headers()), response.body(), clock);
        }
    }
}
