package org.a6suite.protocol.codec;

/**
 * Which end of the ext-plugin connection we are, which decides how a frame type is read: the same type byte carries
 * a request one way and its reply the other way.
 */
public enum Side {
    /**
     * We are the plugin runner and decode what APISIX sends: {@code PrepareConfRequest}, {@code HttpReqCallRequest},
     * {@code HttpRespCallRequest} and {@code ExtraInfoResponse}. Frame type 0 (ERROR) is never valid here.
     */
    RUNNER,
    /**
     * We are APISIX (or an emulator of it) and decode what a runner sends: {@code PrepareConfResponse},
     * {@code HttpReqCallResponse}, {@code HttpRespCallResponse}, {@code ExtraInfoRequest} and {@code ErrorResponse}.
     */
    APISIX
}
