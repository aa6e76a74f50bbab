package org.a6suite.runner.dist;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.runner.plugins.PluginDiscovery;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code check-conf}: checks every {@code ext-plugin-pre-req}, {@code ext-plugin-post-req} and
 * {@code ext-plugin-post-resp} entry of APISIX route JSON files with the plugin of that name, as PrepareConf would,
 * without APISIX or etcd. Plugins are found as the runner finds them (its class path, and the jars in
 * {@code A6_PLUGINS_DIR} when set).
 *
 * <p>A file holds a route object (as the Admin API takes it), an etcd entry ({@code {"key": ..., "value": route}}), or
 * an array of either; in a Markdown file ({@code .md}) every {@code json} code block that is one is checked (blocks
 * that are not valid JSON, or hold no {@code ext-plugin-*} entry, are skipped). Output: one line per problem, {@code file: route <id>: <phase> <plugin>: <error>}, then a
 * summary on stderr. Exit 0 when every entry is valid, 1 when one is not, 2 when a file cannot be read.
 */
public final class CheckConf {

    public static final String COMMAND = "check-conf";
    static final List<String> PHASES = List.of("ext-plugin-pre-req", "ext-plugin-post-req", "ext-plugin-post-resp");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** etcd-seed's placeholder syntax. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):-([^}]*)}");

    private CheckConf() {}

    /** Runs the command; returns the exit code. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.println("usage: java -jar a6-runner.jar check-conf <route.json>...");
            return 2;
        }
        Optional<Path> pluginsDir = Optional.ofNullable(System.getenv("A6_PLUGINS_DIR"))
                .filter(s -> !s.isBlank())
                .map(Path::of);
        try (PluginDiscovery discovery = PluginDiscovery.discover(pluginsDir, CheckConf.class.getClassLoader())) {
            Map<String, Plugin<?>> plugins = new HashMap<>();
            discovery.plugins().forEach(p -> plugins.put(p.name(), p));
            return check(args.stream().map(Path::of).toList(), plugins, out, err);
        }
    }

    /** Checks {@code files} with {@code plugins} (by name). */
    static int check(List<Path> files, Map<String, Plugin<?>> plugins, PrintStream out, PrintStream err) {
        int entries = 0;
        int problems = 0;
        for (Path file : files) {
            List<Route> routes;
            try {
                String text = substitute(Files.readString(file));
                routes =
                        file.toString().endsWith(".md") ? MarkdownRoutes.find(text, JSON) : routes(JSON.readTree(text));
            } catch (IOException | JacksonException e) {
                err.println(file + ": cannot be read as JSON: " + e.getMessage());
                return 2;
            }
            for (Route route : routes) {
                for (String phase : PHASES) {
                    int i = 0;
                    for (JsonNode entry :
                            route.node().path("plugins").path(phase).path("conf")) {
                        entries++;
                        Optional<String> problem = checkEntry(entry, plugins);
                        if (problem.isPresent()) {
                            problems++;
                            out.println(file + ": route " + route.id() + ": " + phase + " conf[" + i + "] "
                                    + entry.path("name").asString("?") + ": " + problem.get());
                        }
                        i++;
                    }
                }
            }
        }
        err.println(
                "check-conf: " + entries + " plugin entries in " + files.size() + " files, " + problems + " invalid");
        return problems == 0 ? 0 : 1;
    }

    private static Optional<String> checkEntry(JsonNode entry, Map<String, Plugin<?>> plugins) {
        String name = entry.path("name").asString("");
        Plugin<?> plugin = plugins.get(name);
        if (plugin == null) {
            return Optional.of("no plugin of that name (known: " + new java.util.TreeSet<>(plugins.keySet()) + ")");
        }
        JsonNode value = entry.path("value");
        if (!value.isMissingNode() && !value.isNull() && !value.isString()) {
            return Optional.of("value: " + (value.isObject() ? "an object" : value.toString())
                    + " (expected: the plugin's JSON as a string)");
        }
        try {
            plugin.parseConfig(value.isString() ? value.asString() : "");
            return Optional.empty();
        } catch (PluginConfigException e) {
            return Optional.of(e.getMessage());
        } catch (RuntimeException e) {
            return Optional.of("the plugin failed to parse the value: " + e);
        }
    }

    /**
     * Replaces {@code ${NAME:-default}} with the environment variable (JSON-escaped) or the default, as etcd-seed does
     * when it writes its data, so seed files are checked with the values they will have.
     */
    static String substitute(String text) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = System.getenv(m.group(1));
            String escaped = value == null ? null : JSON.writeValueAsString(value);
            String replacement = value == null ? m.group(2) : escaped.substring(1, escaped.length() - 1);
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A route found in a file: its id (or a description of where it is) and its object. */
    record Route(String id, JsonNode node) {}

    static List<Route> routes(JsonNode root) {
        List<Route> routes = new ArrayList<>();
        if (root.isArray()) {
            root.forEach(n -> routes.addAll(routes(n)));
            return routes;
        }
        // An etcd entry wraps the route in "value" (an object, or the route as a JSON string).
        JsonNode route = root;
        String id = null;
        if (root.has("key") && root.has("value") && !root.has("plugins")) {
            JsonNode v = root.get("value");
            route = v.isString() ? JSON.readTree(v.asString()) : v;
            String key = root.get("key").asString("");
            id = key.substring(key.lastIndexOf('/') + 1);
        }
        if (id == null) {
            id = route.hasNonNull("id")
                    ? route.get("id").asString()
                    : route.path("name").asString("(no id)");
        }
        routes.add(new Route(id, route));
        return routes;
    }
}
