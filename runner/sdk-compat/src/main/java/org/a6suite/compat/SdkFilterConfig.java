package org.a6suite.compat;

import static java.util.Objects.requireNonNull;

/**
 * A route's configuration for an adapted official-SDK filter: the raw {@code value} string of the route's conf
 * entry, kept as it is because the SDK hands exactly that string to the filter through
 * {@code request.getConfig(this)}; the filter parses it itself.
 *
 * @param value the raw value; {@code ""} when the route gave none
 */
public record SdkFilterConfig(String value) {

    public SdkFilterConfig {
        requireNonNull(value, "value");
    }
}
