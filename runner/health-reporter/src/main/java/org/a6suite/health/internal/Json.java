package org.a6suite.health.internal;

import tools.jackson.databind.json.JsonMapper;

/** The reporter's one JSON mapper (thread-safe, costly to build): documents, Control API answers, APISIX objects. */
final class Json {

    static final JsonMapper MAPPER = JsonMapper.builder(tools.jackson.core.json.JsonFactory.builder()
                    // Bounded reads: nesting and size limits, so hostile JSON is refused instead of walking the stack.
                    .streamReadConstraints(tools.jackson.core.StreamReadConstraints.builder()
                            .maxNestingDepth(128)
                            .maxDocumentLength(64L * 1024 * 1024)
                            .build())
                    .build())
            .build();

    private Json() {}
}
