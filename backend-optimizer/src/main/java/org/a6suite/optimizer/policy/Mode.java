package org.a6suite.optimizer.policy;

/** What the optimizer does with an upstream. */
public enum Mode {
    /** Nothing: no recommendation is computed. */
    OFF,
    /** Recommendations are computed and shown; an operator applies them through the API. */
    RECOMMEND,
    /** The leader applies recommendations itself. */
    AUTO
}
