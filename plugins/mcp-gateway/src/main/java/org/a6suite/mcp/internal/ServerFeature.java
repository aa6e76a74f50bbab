package org.a6suite.mcp.internal;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What an upstream MCP server declared in its {@code InitializeResult.capabilities}. Kept in the sealed client
 * session as one letter per feature, so every runner knows what each upstream offers without asking it again.
 */
public enum ServerFeature {
    TOOLS('t'),
    TOOLS_LIST_CHANGED('T'),
    RESOURCES('r'),
    RESOURCES_SUBSCRIBE('s'),
    RESOURCES_LIST_CHANGED('R'),
    PROMPTS('p'),
    PROMPTS_LIST_CHANGED('P'),
    COMPLETIONS('c'),
    LOGGING('l');

    private final char code;

    ServerFeature(char code) {
        this.code = code;
    }

    /** Reads {@code capabilities}; an absent member means the feature is not offered. */
    public static Set<ServerFeature> fromCapabilities(JsonNode capabilities) {
        Set<ServerFeature> out = EnumSet.noneOf(ServerFeature.class);
        if (!capabilities.isObject()) {
            return out;
        }
        offer(out, capabilities.path("tools"), TOOLS, TOOLS_LIST_CHANGED);
        offer(out, capabilities.path("prompts"), PROMPTS, PROMPTS_LIST_CHANGED);
        JsonNode resources = capabilities.path("resources");
        offer(out, resources, RESOURCES, RESOURCES_LIST_CHANGED);
        if (resources.isObject() && resources.path("subscribe").asBoolean(false)) {
            out.add(RESOURCES_SUBSCRIBE);
        }
        if (capabilities.path("completions").isObject()) {
            out.add(COMPLETIONS);
        }
        if (capabilities.path("logging").isObject()) {
            out.add(LOGGING);
        }
        return out;
    }

    private static void offer(Set<ServerFeature> out, JsonNode node, ServerFeature feature, ServerFeature listChanged) {
        if (node.isObject()) {
            out.add(feature);
            if (node.path("listChanged").asBoolean(false)) {
                out.add(listChanged);
            }
        }
    }

    /** The sealed form: one letter per feature, e.g. {@code trsp}. */
    public static String encode(Set<ServerFeature> features) {
        StringBuilder sb = new StringBuilder();
        for (ServerFeature f : values()) {
            if (features.contains(f)) {
                sb.append(f.code);
            }
        }
        return sb.toString();
    }

    /** Empty when {@code text} holds a letter this version does not know (sealed by a newer runner). */
    public static Optional<Set<ServerFeature>> decode(String text) {
        Set<ServerFeature> out = EnumSet.noneOf(ServerFeature.class);
        for (char c : text.toCharArray()) {
            Optional<ServerFeature> f =
                    java.util.Arrays.stream(values()).filter(v -> v.code == c).findFirst();
            if (f.isEmpty()) {
                return Optional.empty();
            }
            out.add(f.get());
        }
        return Optional.of(out);
    }
}
