package org.a6suite.optimizer.writer;

import java.util.Optional;

/**
 * The outcome of a write.
 *
 * @param outcome   what happened
 * @param decision  the recorded decision, when applied
 * @param conflicts how many times the upstream changed under the writer (each one re-read and recomputed)
 * @param detail    words for the operator
 */
public record WriteResult(Outcome outcome, Optional<Decision> decision, int conflicts, String detail) {

    /** What a write did. */
    public enum Outcome {
        /** Written, with its decision in the history. */
        APPLIED,
        /** Recomputed on the stored upstream, nothing was left to change. */
        NO_CHANGE,
        /** The upstream does not exist (any more). */
        NOT_FOUND,
        /** The upstream kept changing under the writer; it gave up after its attempts. */
        CONFLICT,
        /** This replica is no longer the leader. */
        NOT_LEADER
    }
}
