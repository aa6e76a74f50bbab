package org.a6suite.compat;

/**
 * An adapted official-SDK filter failed a call: it threw, or what it recorded on the SDK response cannot be sent to
 * APISIX (for example a Stop status outside 100..599). The runner answers APISIX with an error for that call, so
 * the request fails closed.
 */
public class SdkFilterException extends RuntimeException {

    public SdkFilterException(String message, Throwable cause) {
        super(message, cause);
    }
}
