package org.a6suite.resilience;

/**
 * Stands in for a failure that was a result rather than an exception (e.g. an HTTP 503 response the classifier
 * judged a failure): handed to the breaker and to fallback functions as the cause.
 */
public final class FailedResultException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Object result;
    private final transient Outcome outcome;

    public FailedResultException(Object result, Outcome outcome) {
        // The result may hold a provider's body; keep it out of the message so nothing leaks into logs.
        super("result classified as " + outcome.type(), null, false, false);
        this.result = result;
        this.outcome = outcome;
    }

    /** The result the classifier judged a failure. */
    public Object result() {
        return result;
    }

    /** The classifier's verdict. */
    public Outcome outcome() {
        return outcome;
    }
}
