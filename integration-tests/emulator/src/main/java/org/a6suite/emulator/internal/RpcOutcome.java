package org.a6suite.emulator.internal;

import org.a6suite.protocol.message.A6Message;

/** How one ext-plugin invocation ended, after APISIX's retries. */
public sealed interface RpcOutcome {

    /** The runner answered with a message of the call's type. */
    record Replied(A6Message reply) implements RpcOutcome {}

    /**
     * The RPC failed. {@code degradable} is false only when three tries all got Err 2, where APISIX answers 503
     * whatever {@code allow_degradation} says.
     */
    record Failed(String reason, boolean degradable) implements RpcOutcome {}

    /** The request could not be encoded (a method outside the A6 enum): a Lua error, so 500 and no frame (s15). */
    record NotEncodable(String reason) implements RpcOutcome {}
}
