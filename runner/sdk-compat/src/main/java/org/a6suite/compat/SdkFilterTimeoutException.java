package org.a6suite.compat;

import java.util.concurrent.TimeoutException;

/**
 * An adapted official-SDK filter did not call {@code chain.filter} / {@code chain.postFilter} within the chain
 * timeout. The official runner would never reply and APISIX would give up after its 60 s read timeout; the adapter
 * fails the call before that, so the connection is answered and freed.
 */
public class SdkFilterTimeoutException extends TimeoutException {

    public SdkFilterTimeoutException(String message) {
        super(message);
    }
}
