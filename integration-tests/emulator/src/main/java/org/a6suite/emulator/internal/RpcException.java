package org.a6suite.emulator.internal;

/** An RPC to the runner failed the way APISIX's error.log words it ("failed to receive RPC_...: timeout"). */
public final class RpcException extends RuntimeException {
    public RpcException(String message) {
        super(message, null, false, false);
    }
}
