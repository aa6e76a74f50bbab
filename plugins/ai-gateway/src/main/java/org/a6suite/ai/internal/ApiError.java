package org.a6suite.ai.internal;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.a6suite.plugin.RequestDecision;
import tools.jackson.databind.node.ObjectNode;

/**
 * An OpenAI-style error answered to the client: {@code {"error": {"message", "type", "param", "code"}}}. Messages are
 * ours; they never contain credentials or provider bodies.
 */
public record ApiError(int status, String message, String type, Optional<String> param, String code) {

    public ApiError {
        requireNonNull(message, "message");
        requireNonNull(type, "type");
        requireNonNull(param, "param");
        requireNonNull(code, "code");
    }

    public static ApiError invalid(String message, String param, String code) {
        return new ApiError(400, message, "invalid_request_error", Optional.ofNullable(param), code);
    }

    public static ApiError notFound(String message, String param, String code) {
        return new ApiError(404, message, "invalid_request_error", Optional.ofNullable(param), code);
    }

    public ObjectNode body() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        param.ifPresentOrElse(p -> error.put("param", p), () -> error.putNull("param"));
        error.put("code", code);
        return root;
    }

    public RequestDecision.Stop toStop() {
        return RequestDecision.stop(status)
                .json(Json.MAPPER.writeValueAsString(body()))
                .build();
    }

    /** Thrown inside the plugin to end a call with this error. */
    public static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient ApiError error;

        public Failure(ApiError error) {
            super(error.code(), null, false, false);
            this.error = error;
        }

        public ApiError error() {
            return error;
        }
    }

    public Failure failure() {
        return new Failure(this);
    }
}
