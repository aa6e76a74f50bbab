package org.a6suite.optimizer.writer;

import java.util.LinkedHashMap;
import java.util.Map;
import org.a6suite.optimizer.model.Timeouts;

/**
 * What the optimizer may change on an upstream: its timeout and node weights.
 *
 * @param timeout the timeout, or null when the upstream has none
 * @param weights node weights by {@code host:port}
 */
public record Setting(Timeouts timeout, Map<String, Integer> weights) {

    public Setting {
        weights = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    }
}
