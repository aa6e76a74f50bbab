package org.a6suite.bench.ai;

import java.util.List;
import java.util.Locale;

/** The range of 1-minute load averages sampled during a benchmark row ("n/a" samples skipped), for its table. */
final class LoadRange {

    private LoadRange() {}

    static String of(List<String> loads) {
        double[] v = loads.stream()
                .filter(l -> !l.equals("n/a"))
                .mapToDouble(Double::parseDouble)
                .sorted()
                .toArray();
        return v.length == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f–%.1f", v[0], v[v.length - 1]);
    }
}
