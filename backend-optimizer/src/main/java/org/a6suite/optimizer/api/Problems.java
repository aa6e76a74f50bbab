package org.a6suite.optimizer.api;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** RFC 9457 problem details, always naming the offending {@code field}. */
final class Problems {

    static final String TYPE_BASE = "https://a6suite.org/problems/";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Problems() {}

    static ProblemDetail of(HttpStatus status, String title, String field, String detail) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setTitle(title);
        p.setType(
                URI.create(TYPE_BASE + title.toLowerCase(java.util.Locale.ROOT).replace(' ', '-')));
        p.setProperty("field", field);
        return p;
    }

    /** The field named by a {@code field: value (expected: ...)} message. */
    static String fieldOf(String message) {
        if (message == null) {
            return "request";
        }
        int colon = message.indexOf(": ");
        return colon > 0 && !message.substring(0, colon).contains(" ") ? message.substring(0, colon) : "request";
    }

    static void write(
            HttpServletResponse response, int status, String title, String field, String detail, String instance)
            throws IOException {
        write(response, status, title, field, detail, instance, java.util.Map.of());
    }

    /** As above, with extension members (snake_case names, like every member). */
    static void write(
            HttpServletResponse response,
            int status,
            String title,
            String field,
            String detail,
            String instance,
            java.util.Map<String, String> members)
            throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", TYPE_BASE + title.toLowerCase(java.util.Locale.ROOT).replace(' ', '-'));
        n.put("title", title);
        n.put("status", status);
        n.put("detail", detail);
        n.put("instance", instance);
        n.put("field", field);
        members.forEach(n::put);
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.getOutputStream().write(JSON.writeValueAsString(n).getBytes(StandardCharsets.UTF_8));
    }
}
