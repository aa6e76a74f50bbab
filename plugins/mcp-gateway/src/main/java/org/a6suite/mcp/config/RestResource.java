package org.a6suite.mcp.config;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * A read-only REST endpoint offered as an MCP resource: a fixed {@code uri} ({@code resources/list}) or a
 * {@code uriTemplate} ({@code resources/templates/list}) whose variables fill the path and query of a GET.
 *
 * @param name        {@code name} in the lists, {@code [A-Za-z0-9_.-]{1,128}}
 * @param title       optional display title
 * @param description optional description
 * @param mimeType    optional declared type; a read answers with it, else with the backend's content type
 * @param uri         the fixed URI, or empty for a template
 * @param template    the URI template, or empty for a fixed URI
 * @param fetch       the GET that reads it, compiled like a REST tool (its arguments are the template's variables)
 */
public record RestResource(
        String name,
        Optional<String> title,
        Optional<String> description,
        Optional<String> mimeType,
        Optional<String> uri,
        Optional<UriTemplate> template,
        LocalTool fetch) {

    public RestResource {
        requireNonNull(name, "name");
        requireNonNull(title, "title");
        requireNonNull(description, "description");
        requireNonNull(mimeType, "mimeType");
        requireNonNull(uri, "uri");
        requireNonNull(template, "template");
        requireNonNull(fetch, "fetch");
        if (uri.isPresent() == template.isPresent()) {
            throw new IllegalArgumentException("exactly one of uri, template");
        }
    }

    /** The fixed URI or the template's text: what access rules and rate limits name for listing. */
    public String key() {
        return uri.orElseGet(() -> template.orElseThrow().text());
    }

    /** The backend arguments when {@code requested} is this resource's URI or an expansion of its template. */
    public Optional<Map<String, String>> match(String requested) {
        if (uri.isPresent()) {
            return uri.get().equals(requested) ? Optional.of(Map.of()) : Optional.empty();
        }
        return template.get().match(requested);
    }
}
