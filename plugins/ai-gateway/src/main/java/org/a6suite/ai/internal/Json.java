package org.a6suite.ai.internal;

import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one shared, thread-safe mapper of the plugin, for route configurations, client bodies and provider answers.
 * Reading is bounded: at most {@value #MAX_DEPTH} levels of nesting (real requests, tool schemas included, stay far
 * below; an attacker's 10,000 nested arrays must not walk the stack) and {@value #MAX_DOCUMENT_BYTES} bytes.
 */
public final class Json {

    public static final int MAX_DEPTH = 128;
    public static final long MAX_DOCUMENT_BYTES = 64L * 1024 * 1024;

    public static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .maxDocumentLength(MAX_DOCUMENT_BYTES)
                            .build())
                    .build())
            .build();

    private Json() {}
}
