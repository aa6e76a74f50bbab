package org.a6suite.runner.lane;

/**
 * What a lane handoff header asserts, once its MAC and expiry have been checked: which prepared chain and which link
 * of it answer the request, for which APISIX call.
 *
 * <p>On the wire ({@value #HEADER} request header, ASCII, fields separated by {@code .}):
 *
 * <pre>
 *   v1.&lt;confToken&gt;.&lt;link&gt;.&lt;requestId&gt;.&lt;expiresAtMillis&gt;.&lt;mac&gt;
 *   │  │             │      │             │                 └ base64url (no padding) of the first 16 bytes of
 *   │  │             │      │             │                   HMAC-SHA256(process key, everything before ".&lt;mac&gt;")
 *   │  │             │      │             └ epoch milliseconds after which the lane refuses it
 *   │  │             │      └ APISIX's HTTPReqCall id (u32), handed to the plugin as CallContext.requestId
 *   │  │             └ the link's index in the chain (0-based)
 *   │  └ the PrepareConf token of the route's chain (u32)
 *   └ format version
 * </pre>
 *
 * e.g. {@code v1.2861.0.4194305.1796467200000.Zt3o0b2Yq4bCqz3m3Yz5Qw}.
 *
 * @param confToken       the route's conf token
 * @param link            the index of the chain link that asked for the handoff
 * @param requestId       APISIX's call id
 * @param expiresAtMillis epoch milliseconds
 */
public record Handoff(long confToken, int link, long requestId, long expiresAtMillis) {

    /** The request header that carries a handoff from the pre-req reply to the lane. */
    public static final String HEADER = "x-a6-lane";
    /** The format this runner writes and accepts. */
    public static final String VERSION = "v1";
}
