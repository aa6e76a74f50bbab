package org.a6suite.runner;

/** The runner cannot start: an unusable socket path, a plugin that fails discovery or start, a bind error. */
public final class RunnerStartException extends RuntimeException {

    public RunnerStartException(String message) {
        super(message);
    }

    public RunnerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
