package org.a6suite.protocol.message;

/** A per-request call: HTTPReqCall (ext-plugin-pre-req/post-req) or HTTPRespCall (ext-plugin-post-resp). */
public sealed interface CallRequest extends FromApisix permits HttpReqCallRequest, HttpRespCallRequest {

    /** The call's id, echoed in the reply. */
    long id();

    /** The token PrepareConf gave for the route's conf. */
    long confToken();
}
