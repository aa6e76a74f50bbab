package org.a6suite.runner.lane;

import java.util.Locale;

/**
 * Why the lane refused a request's handoff (answered 403). The {@link #code()} is the metrics label and the
 * problem document's {@code reason}; the {@link #detail()} is safe to send back, since it never echoes the header.
 */
public enum HandoffRejection {
    MISSING("the request carries no x-a6-lane handoff; the lane serves only requests APISIX forwards after a "
            + "plugin's pre-req handoff"),
    MALFORMED("the x-a6-lane handoff is not in the expected format"),
    BAD_MAC("the x-a6-lane handoff was not signed by this runner process"),
    EXPIRED("the x-a6-lane handoff has expired"),
    UNKNOWN_TOKEN("the handoff names a route configuration this runner no longer holds"),
    BAD_LINK("the handoff names a plugin position the route's chain does not have");

    private final String detail;

    HandoffRejection(String detail) {
        this.detail = detail;
    }

    /** {@code bad_mac}, {@code expired}, ... */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String detail() {
        return detail;
    }
}
