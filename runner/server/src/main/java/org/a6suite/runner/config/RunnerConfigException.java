package org.a6suite.runner.config;

/** An environment variable is missing or invalid; the message names the variable and the expected form. */
public final class RunnerConfigException extends RuntimeException {

    public RunnerConfigException(String message) {
        super(message);
    }
}
