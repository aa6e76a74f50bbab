package org.a6suite.optimizer.leader;

import java.util.Optional;
import org.a6suite.optimizer.writer.Fence;

/** Whether this replica may apply changes, and the proof to carry in writes. */
public interface Leadership {

    boolean isLeader();

    /** The fence for writes; empty when not leading or when election is off. */
    Optional<Fence> fence();

    /** The current leader's id, if known. */
    Optional<String> currentLeader();

    /** For a single instance with election turned off: always the leader, no fence. */
    static Leadership solo(String id) {
        return new Leadership() {
            @Override
            public boolean isLeader() {
                return true;
            }

            @Override
            public Optional<Fence> fence() {
                return Optional.empty();
            }

            @Override
            public Optional<String> currentLeader() {
                return Optional.of(id);
            }
        };
    }
}
