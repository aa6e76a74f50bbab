package org.a6suite.health.internal;

import tools.jackson.databind.json.JsonMapper;

/** The reporter's one JSON mapper (thread-safe, costly to build): documents, Control API answers, APISIX objects. */
final class Json {

    static final JsonMapper MAPPER = JsonMapper.builder().build();

    private Json() {
    }
}
