package org.a6suite.ai.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.ProviderException;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.resilience.AttemptEvent;
import org.a6suite.resilience.CallNotPermittedException;
import org.a6suite.resilience.DeadlineExceededException;
import org.a6suite.resilience.Outcome;

/**
 * One attempt of a call, as reported to the client on failure, in the call log and to the health reporter.
 *
 * @param outcome a short label: {@code success}, {@code timeout}, {@code rate_limited}, {@code server_error},
 *                {@code connect_error}, {@code connection_error}, {@code truncated_stream}, {@code breaker_open}, ...
 */
public record AttemptInfo(
        Target target,
        String outcome,
        Optional<Integer> status,
        Duration duration,
        Outcome.Type type,
        boolean callMade) {

    static AttemptInfo of(Target target, AttemptEvent event) {
        Throwable error = event.error().orElse(null);
        String label;
        Optional<Integer> status = Optional.empty();
        boolean callMade = true;
        if (event.outcome().type() == Outcome.Type.CANCELLED) {
            label = "cancelled";
        } else if (error == null) {
            label = "success";
        } else if (error instanceof ProviderException pe) {
            label = pe.kind().label();
            status = pe.status();
            callMade = pe.kind() != ProviderException.Kind.CREDENTIALS_UNAVAILABLE;
        } else if (error instanceof DeadlineExceededException de) {
            label = de.scope() == DeadlineExceededException.Scope.ATTEMPT ? "timeout" : "deadline_exceeded";
        } else if (error instanceof CallNotPermittedException) {
            label = "breaker_open";
            callMade = false;
        } else if (error instanceof HttpConnectTimeoutException || error instanceof ConnectException) {
            label = "connect_error";
        } else if (error instanceof HttpTimeoutException) {
            label = "timeout";
        } else if (error instanceof IOException) {
            label = "connection_error";
        } else {
            label = "error";
        }
        return new AttemptInfo(
                target, label, status, event.duration(), event.outcome().type(), callMade);
    }

    public boolean isTimeout() {
        return outcome.equals("timeout") || outcome.equals("deadline_exceeded");
    }

    /** The health reporter's classification. */
    OutcomeRecorder.Result healthResult() {
        if (status.isPresent()) {
            return OutcomeRecorder.Outcome.classify(status.get());
        }
        return switch (outcome) {
            case "success" -> OutcomeRecorder.Result.SUCCESS;
            case "timeout", "deadline_exceeded" -> OutcomeRecorder.Result.TIMEOUT;
            case "connect_error" -> OutcomeRecorder.Result.CONNECT_ERROR;
            default -> OutcomeRecorder.Result.OTHER_ERROR;
        };
    }
}
