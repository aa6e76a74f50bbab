package org.a6suite.optimizer.policy;

import java.util.Locale;
import org.a6suite.optimizer.model.RouteInfo;
import org.a6suite.optimizer.model.Timeouts;

/** How numbers and timeouts read in a recommendation's reasons. */
final class Reasons {

    private Reasons() {}

    static String fmt(Timeouts t) {
        return "{connect " + fmtNum(t.connect()) + " s, send " + fmtNum(t.send()) + " s, read " + fmtNum(t.read())
                + " s}";
    }

    static String fmtNum(double d) {
        return d == Math.rint(d)
                ? Long.toString((long) d)
                : String.format(Locale.ROOT, "%.3f", d).replaceAll("0+$", "");
    }

    static String fmtRoute(RouteInfo r) {
        return r.ref().key();
    }
}
