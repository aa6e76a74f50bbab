package org.a6suite.ai.internal;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.Operation;
import org.a6suite.ai.internal.provider.Usage;

/**
 * Facts of one finished call, as {@link Accounting} publishes them: what was asked, who answered (absent when no
 * target did), how it ended, and the exchanged text (only when the route logs content).
 */
public record CallFacts(Request request, Optional<Served> served, Result result, Optional<Content> content) {

    public CallFacts {
        requireNonNull(request, "request");
        requireNonNull(served, "served");
        requireNonNull(result, "result");
        requireNonNull(content, "content");
    }

    /** What the client asked for. */
    public record Request(
            String routeId, long requestId, Operation operation, boolean stream, Optional<String> requestedModel) {
        public Request {
            requireNonNull(routeId, "routeId");
            requireNonNull(operation, "operation");
            requireNonNull(requestedModel, "requestedModel");
        }
    }

    /** The target that answered and the model name its provider reported. */
    public record Served(Target target, String reportedModel) {
        public Served {
            requireNonNull(target, "target");
            requireNonNull(reportedModel, "reportedModel");
        }
    }

    /** How the call ended: the client's status, an outcome label, tokens, the whole call's time, every attempt. */
    public record Result(int status, String outcome, Usage usage, long latencyMillis, List<AttemptInfo> attempts) {
        public Result {
            requireNonNull(outcome, "outcome");
            requireNonNull(usage, "usage");
            attempts = List.copyOf(attempts);
        }
    }

    /** The prompt messages (JSON) and the completion text, for call logs that include content. */
    public record Content(String prompt, String completion) {
        public Content {
            requireNonNull(prompt, "prompt");
            requireNonNull(completion, "completion");
        }
    }
}
