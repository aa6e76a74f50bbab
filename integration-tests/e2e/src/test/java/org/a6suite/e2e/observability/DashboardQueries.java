package org.a6suite.e2e.observability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The PromQL of the shipped Grafana dashboard ({@code observability/grafana/dashboards/a6-suite.json}) and the a6
 * metric names it reads.
 */
final class DashboardQueries {

    static final String DASHBOARD = "observability/grafana/dashboards/a6-suite.json";
    private static final Pattern METRIC = Pattern.compile("\\ba6_[a-z0-9_]+");

    private DashboardQueries() {}

    /**
     * The dashboard file, found from the working directory (a module folder) up to the repository root (the folder
     * with {@code mvnw}); never above it.
     */
    static Path dashboard() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve(DASHBOARD);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
            if (Files.exists(dir.resolve("mvnw"))) {
                break;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException(
                DASHBOARD + " not found from " + Path.of("").toAbsolutePath());
    }

    /** Every {@code expr} of every panel (rows included). */
    static List<String> expressions(Path dashboard) throws IOException {
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(dashboard));
        List<String> exprs = new ArrayList<>();
        collect(root.path("panels"), exprs);
        return exprs;
    }

    private static void collect(JsonNode panels, List<String> exprs) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asString());
            }
            collect(panel.path("panels"), exprs);
        }
    }

    /** The a6 metric names the expressions read (sample names, e.g. {@code a6_x_seconds_bucket}). */
    static Set<String> metricNames(List<String> exprs) {
        Set<String> names = new TreeSet<>();
        for (String expr : exprs) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** The sample names in a Prometheus text exposition. */
    static Set<String> exposed(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }
}
