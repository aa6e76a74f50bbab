package org.a6suite.optimizer.api;

import org.a6suite.optimizer.policy.PolicyException;
import org.a6suite.optimizer.service.OptimizerService;
import org.a6suite.optimizer.writer.UpstreamWriter;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Turns the optimizer's exceptions into RFC 9457 {@code application/problem+json} naming the field. */
@RestControllerAdvice
public class ProblemHandler {

    @ExceptionHandler(PolicyException.class)
    ProblemDetail policy(PolicyException e) {
        return Problems.of(HttpStatus.BAD_REQUEST, "Invalid policy", e.field(), e.getMessage());
    }

    @ExceptionHandler(OptimizerService.UnknownUpstreamException.class)
    ProblemDetail unknownUpstream(RuntimeException e) {
        return Problems.of(HttpStatus.NOT_FOUND, "Unknown upstream", "upstream", e.getMessage());
    }

    @ExceptionHandler(OptimizerService.UnknownDecisionException.class)
    ProblemDetail unknownDecision(RuntimeException e) {
        return Problems.of(HttpStatus.NOT_FOUND, "Unknown decision", "decision", e.getMessage());
    }

    @ExceptionHandler(OptimizerService.NotLeaderException.class)
    ProblemDetail notLeader(OptimizerService.NotLeaderException e) {
        ProblemDetail p = Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "Not leader", "leader", e.getMessage());
        p.setProperty("leader", e.leader());
        return p;
    }

    @ExceptionHandler(OptimizerService.ModeOffException.class)
    ProblemDetail modeOff(RuntimeException e) {
        return Problems.of(HttpStatus.CONFLICT, "Mode off", "mode", e.getMessage());
    }

    @ExceptionHandler(UpstreamWriter.EtcdUnavailableException.class)
    ProblemDetail etcd(RuntimeException e) {
        return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "etcd unavailable", "etcd", e.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ProblemDetail unreadable(HttpMessageNotReadableException e) {
        return Problems.of(HttpStatus.BAD_REQUEST, "Invalid body", "body",
                "body: not valid JSON (expected: a JSON object)");
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badArgument(IllegalArgumentException e) {
        return Problems.of(HttpStatus.BAD_REQUEST, "Invalid request", Problems.fieldOf(e.getMessage()),
                e.getMessage());
    }
}
