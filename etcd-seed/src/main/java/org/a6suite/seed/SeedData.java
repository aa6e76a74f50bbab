package org.a6suite.seed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Reads seed objects from {@code <dir>/<kind>/<id>.json}, in a stable order: upstreams before what refers to them. */
public final class SeedData {

    /** Kinds in dependency order: a route may name an upstream, a service or a plugin config. */
    static final List<String> KINDS =
            List.of("upstreams", "services", "plugin_configs", "consumers", "routes", "global_rules");

    private static final Set<String> ADMIN_MANAGED = Set.of("create_time", "update_time");
    /** {@code ${NAME:-default}}: lets one data set serve the local stack and docker compose (host names differ). */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*):-([^}]*)}");

    private SeedData() {}

    public static List<SeedObject> load(Path dir, JsonMapper mapper) {
        return load(dir, mapper, System::getenv);
    }

    /**
     * Loads every object, replacing {@code ${NAME:-default}} in the files' text with the variable's value from
     * {@code env} (or the default); values are inserted JSON-escaped.
     */
    public static List<SeedObject> load(Path dir, JsonMapper mapper, Function<String, String> env) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    "--data: " + dir + " (expected: a directory with upstreams/, routes/ ...)");
        }
        List<SeedObject> objects = new ArrayList<>();
        for (String kind : KINDS) {
            Path kindDir = dir.resolve(kind);
            if (!Files.isDirectory(kindDir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(kindDir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".json"))
                        .sorted(Comparator.comparing(Path::toString))
                        .toList()) {
                    objects.add(read(kind, file, mapper, env));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + kindDir, e);
            }
        }
        return objects;
    }

    private static SeedObject read(String kind, Path file, JsonMapper mapper, Function<String, String> env) {
        String name = file.getFileName().toString();
        String id = name.substring(0, name.length() - ".json".length());
        if (!id.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException(file + ": id '" + id + "' (expected: 1-64 of A-Z a-z 0-9 _ . -)");
        }
        JsonNode node;
        try {
            node = mapper.readTree(substitute(Files.readString(file), env, mapper));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (!(node instanceof ObjectNode body)) {
            throw new IllegalArgumentException(file + ": " + node.getNodeType() + " (expected: a JSON object)");
        }
        if (body.has("id") && !body.get("id").asString().equals(id)) {
            throw new IllegalArgumentException(
                    file + ": id " + body.get("id") + " (expected: \"" + id + "\", the file name)");
        }
        body.put("id", id);
        ADMIN_MANAGED.forEach(body::remove);
        return new SeedObject(kind, id, body);
    }

    static String substitute(String text, Function<String, String> env, JsonMapper mapper) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.apply(m.group(1));
            String chosen = value == null || value.isEmpty() ? m.group(2) : value;
            // JSON-escape, without the quotes the serializer adds: the placeholder sits inside a JSON string.
            String escaped = mapper.writeValueAsString(chosen);
            m.appendReplacement(out, Matcher.quoteReplacement(escaped.substring(1, escaped.length() - 1)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A copy without the fields the Admin API manages, for comparing what is stored with what is seeded. */
    static ObjectNode withoutAdminFields(ObjectNode node) {
        ObjectNode copy = node.deepCopy();
        ADMIN_MANAGED.forEach(copy::remove);
        return copy;
    }
}
