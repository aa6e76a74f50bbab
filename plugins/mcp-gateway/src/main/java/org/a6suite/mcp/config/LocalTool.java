package org.a6suite.mcp.config;

import static java.util.Objects.requireNonNull;

import com.networknt.schema.Schema;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * A REST backend operation exposed as an MCP tool, with its schemas compiled once at PrepareConf.
 *
 * @param name            the tool name clients call
 * @param title           optional display title
 * @param description     shown to the model
 * @param inputSchema     an object schema; arguments are validated against it before any backend call
 * @param outputSchema    optional object schema; results are validated and returned as {@code structuredContent}
 * @param backend         the backend name (its base URL is the only place this tool can reach)
 * @param method          HTTP method
 * @param pathTemplate    a path under the backend's base path, with {@code {arg}} placeholders
 * @param args            where each argument goes; arguments not listed follow the defaults in {@link ArgBinding}
 * @param responsePointer optional JSON pointer selecting the part of the backend's JSON answer that is the result
 */
public record LocalTool(
        String name,
        Optional<String> title,
        String description,
        ObjectNode inputSchema,
        Optional<ObjectNode> outputSchema,
        Schema inputValidator,
        Optional<Schema> outputValidator,
        String backend,
        String method,
        String pathTemplate,
        Map<String, ArgBinding> args,
        Optional<String> responsePointer) {

    public LocalTool {
        requireNonNull(name, "name");
        requireNonNull(title, "title");
        requireNonNull(description, "description");
        requireNonNull(inputSchema, "inputSchema");
        requireNonNull(outputSchema, "outputSchema");
        requireNonNull(inputValidator, "inputValidator");
        requireNonNull(outputValidator, "outputValidator");
        requireNonNull(backend, "backend");
        requireNonNull(method, "method");
        requireNonNull(pathTemplate, "pathTemplate");
        args = Map.copyOf(args);
        requireNonNull(responsePointer, "responsePointer");
    }

    /** GET, HEAD, PUT, DELETE and OPTIONS may be retried; POST and PATCH never are. */
    public boolean idempotent() {
        return switch (method) {
            case "GET", "HEAD", "PUT", "DELETE", "OPTIONS" -> true;
            default -> false;
        };
    }

    /**
     * Where one argument goes. Without a binding: a {@code {name}} placeholder in the path takes it, otherwise it
     * joins the query (GET, HEAD, DELETE, OPTIONS) or the JSON body object (POST, PUT, PATCH).
     *
     * @param in   the location
     * @param name the parameter or header name at that location (default: the argument name)
     */
    public record ArgBinding(In in, String name) {
        public ArgBinding {
            requireNonNull(in, "in");
            requireNonNull(name, "name");
        }

        /** Locations; {@code BODY} makes the argument's value the whole request body. */
        public enum In {
            PATH,
            QUERY,
            HEADER,
            BODY
        }
    }
}
