package org.a6suite.seed;

import static java.util.Objects.requireNonNull;

import tools.jackson.databind.node.ObjectNode;

/**
 * One APISIX object to seed, e.g. kind {@code routes}, id {@code 1}, stored at {@code <prefix>/routes/1}.
 *
 * @param kind the APISIX resource folder: upstreams, routes, services, consumers, plugin_configs, global_rules
 * @param id   the object id (the file name without {@code .json})
 * @param body the object as the Admin API would store it, without {@code create_time}/{@code update_time}
 */
public record SeedObject(String kind, String id, ObjectNode body) {
    public SeedObject {
        requireNonNull(kind, "kind");
        requireNonNull(id, "id");
        requireNonNull(body, "body");
    }

    /** The key relative to the APISIX prefix, e.g. {@code routes/1}. */
    public String relativeKey() {
        return kind + "/" + id;
    }
}
