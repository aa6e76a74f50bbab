package org.a6suite.health.internal;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parser for the Prometheus text exposition format (0.0.4), enough for APISIX's exporter: comments and
 * {@code # HELP}/{@code # TYPE} lines are skipped, label values are unescaped ({@code \\}, {@code \"}, {@code \n}),
 * values may be {@code NaN}, {@code +Inf}, {@code -Inf}, an optional timestamp is ignored. Only samples whose metric
 * name is in {@code wanted} are kept, so the large rest of the exposition costs a prefix check per line. A malformed
 * line is skipped and counted, never fatal: one odd line must not blind the reporter.
 */
public final class PrometheusText {

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
        public Sample {
            requireNonNull(name, "name");
            labels = Map.copyOf(labels);
        }

        public String label(String name) {
            return labels.getOrDefault(name, "");
        }
    }

    /** The kept samples and how many lines could not be parsed. */
    public record Result(List<Sample> samples, int malformedLines) {
        public Result {
            samples = List.copyOf(samples);
        }
    }

    private PrometheusText() {}

    public static Result parse(String text, Set<String> wanted) {
        requireNonNull(text, "text");
        requireNonNull(wanted, "wanted");
        List<Sample> samples = new ArrayList<>();
        int malformed = 0;
        int start = 0;
        int length = text.length();
        while (start < length) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = length;
            }
            String line = text.substring(start, end).strip();
            start = end + 1;
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int nameEnd = 0;
            while (nameEnd < line.length() && isNameChar(line.charAt(nameEnd))) {
                nameEnd++;
            }
            if (nameEnd == 0) {
                malformed++;
                continue;
            }
            String name = line.substring(0, nameEnd);
            if (!wanted.contains(name)) {
                continue;
            }
            Sample s = parseSample(line, name, nameEnd);
            if (s == null) {
                malformed++;
            } else {
                samples.add(s);
            }
        }
        return new Result(samples, malformed);
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == ':';
    }

    private static Sample parseSample(String line, String name, int pos) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (pos < line.length() && line.charAt(pos) == '{') {
            pos++;
            while (true) {
                while (pos < line.length() && (line.charAt(pos) == ' ' || line.charAt(pos) == ',')) {
                    pos++;
                }
                if (pos >= line.length()) {
                    return null;
                }
                if (line.charAt(pos) == '}') {
                    pos++;
                    break;
                }
                int eq = line.indexOf('=', pos);
                if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                    return null;
                }
                String label = line.substring(pos, eq).trim();
                StringBuilder value = new StringBuilder();
                int i = eq + 2;
                boolean closed = false;
                while (i < line.length()) {
                    char c = line.charAt(i);
                    if (c == '\\' && i + 1 < line.length()) {
                        char n = line.charAt(i + 1);
                        value.append(n == 'n' ? '\n' : n);
                        i += 2;
                    } else if (c == '"') {
                        closed = true;
                        i++;
                        break;
                    } else {
                        value.append(c);
                        i++;
                    }
                }
                if (!closed) {
                    return null;
                }
                labels.put(label, value.toString());
                pos = i;
            }
        }
        String rest = line.substring(pos).trim();
        if (rest.isEmpty()) {
            return null;
        }
        String valueText = rest.split("\\s+")[0];
        double value;
        switch (valueText) {
            case "NaN" -> value = Double.NaN;
            case "+Inf", "Inf" -> value = Double.POSITIVE_INFINITY;
            case "-Inf" -> value = Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    value = Double.parseDouble(valueText);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return new Sample(name, labels, value);
    }
}
