package org.a6suite.ai.internal;

import tools.jackson.databind.json.JsonMapper;

/** The one shared, thread-safe mapper of the plugin. */
public final class Json {

    public static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }
}
