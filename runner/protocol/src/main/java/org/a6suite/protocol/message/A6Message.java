package org.a6suite.protocol.message;

/**
 * Every message of the A6 protocol 0.6.1, decoded. APISIX sends the {@code *Request} messages and the runner the
 * {@code *Response} ones, except {@link ExtraInfoRequest} (runner asks) and {@link ExtraInfoResponse} (APISIX
 * answers). {@link ErrorResponse} only goes from the runner to APISIX.
 */
public sealed interface A6Message
        permits FromApisix,
                PrepareConfResponse,
                HttpReqCallResponse,
                HttpRespCallResponse,
                ExtraInfoRequest,
                ErrorResponse {

    /** The frame type this message travels in. */
    FrameType frameType();
}
