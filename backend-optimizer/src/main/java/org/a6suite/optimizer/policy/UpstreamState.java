package org.a6suite.optimizer.policy;

import java.util.Map;

/**
 * What the engine remembers of one upstream: the health stamp it last consumed and its nodes' states. The engine
 * advances the state only when the stamp changes, so evaluating the same data twice is harmless.
 */
public record UpstreamState(long healthStamp, Map<String, NodeState> nodes) {

    public static final UpstreamState INITIAL = new UpstreamState(Long.MIN_VALUE, Map.of());

    public UpstreamState {
        nodes = Map.copyOf(nodes);
    }

    public NodeState node(String address) {
        return nodes.getOrDefault(address, NodeState.FRESH);
    }
}
