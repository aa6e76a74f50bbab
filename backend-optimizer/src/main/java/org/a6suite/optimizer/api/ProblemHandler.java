package org.a6suite.optimizer.api;

import java.net.URI;
import java.util.Locale;
import org.a6suite.optimizer.policy.PolicyException;
import org.a6suite.optimizer.service.OptimizerService;
import org.a6suite.optimizer.writer.UpstreamWriter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Turns the optimizer's exceptions, and Spring MVC's own (unknown path, wrong method, wrong media type, unreadable
 * body, missing parameter), into RFC 9457 {@code application/problem+json} naming the field, one shape for every error.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

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

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badArgument(IllegalArgumentException e) {
        return Problems.of(HttpStatus.BAD_REQUEST, "Invalid request", Problems.fieldOf(e.getMessage()), e.getMessage());
    }

    /** Spring MVC's exceptions, reshaped: our title, type and {@code field}, and no framework internals. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception e, Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        HttpStatus status = HttpStatus.resolve(statusCode.value());
        if (status == null) {
            status = HttpStatus.BAD_REQUEST;
        }
        ProblemDetail problem = switch (e) {
            case HttpMessageNotReadableException u ->
                Problems.of(
                        HttpStatus.BAD_REQUEST,
                        "Invalid body",
                        "body",
                        "body: not valid JSON (expected: a JSON object)");
            case NoResourceFoundException n ->
                Problems.of(
                        HttpStatus.NOT_FOUND,
                        "Not found",
                        "path",
                        "path: /" + ApiInput.quote(n.getResourcePath())
                                + " (expected: an endpoint listed in /v3/api-docs)");
            case HttpRequestMethodNotSupportedException m ->
                Problems.of(
                        HttpStatus.METHOD_NOT_ALLOWED,
                        "Method not allowed",
                        "method",
                        "method: " + m.getMethod() + " (expected: one of " + m.getSupportedHttpMethods() + ")");
            case HttpMediaTypeNotSupportedException t ->
                Problems.of(
                        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                        "Unsupported media type",
                        "content-type",
                        "content-type: "
                                + (t.getContentType() == null ? "<none>" : t.getContentType())
                                + " (expected: application/json)");
            default -> {
                ProblemDetail p = Problems.of(
                        status,
                        status.getReasonPhrase(),
                        "request",
                        status.getReasonPhrase().toLowerCase(Locale.ROOT));
                p.setType(URI.create(Problems.TYPE_BASE + status.value()));
                yield p;
            }
        };
        HttpHeaders out = new HttpHeaders();
        out.addAll(headers);
        out.setContentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON);
        return ResponseEntity.status(problem.getStatus()).headers(out).body(problem);
    }
}
