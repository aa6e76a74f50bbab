package org.a6suite.optimizer.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves the hand-written OpenAPI 3.1 document ({@code openapi.json} on the classpath) at {@code /v3/api-docs}.
 * Hand-written so the contract is reviewed as a file rather than derived from annotations.
 */
@RestController
public class OpenApiController {

    private final String document;

    public OpenApiController() throws IOException {
        try (InputStream in = OpenApiController.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json missing from the classpath");
            }
            document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @GetMapping(value = "/v3/api-docs", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> openApi() {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(document);
    }
}
