package org.a6suite.mcp.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * A prompt template declared in the route: messages whose {@code {argument}} placeholders are filled by
 * {@code prompts/get}, and which may embed a REST resource read at that moment.
 *
 * @param name        the prompt name, {@code [A-Za-z0-9_.-]{1,128}}
 * @param title       optional display title
 * @param description optional description
 * @param arguments   declared arguments; placeholders may only name these
 * @param messages    the messages, in order
 */
public record RestPrompt(
        String name,
        Optional<String> title,
        Optional<String> description,
        List<Argument> arguments,
        List<Message> messages) {

    public RestPrompt {
        requireNonNull(name, "name");
        requireNonNull(title, "title");
        requireNonNull(description, "description");
        arguments = List.copyOf(arguments);
        messages = List.copyOf(messages);
    }

    /** A prompt argument as {@code prompts/list} shows it. */
    public record Argument(String name, Optional<String> description, boolean required) {
        public Argument {
            requireNonNull(name, "name");
            requireNonNull(description, "description");
        }
    }

    /**
     * One message: {@code text} with placeholders, or an embedded REST {@code resource} whose URI (template) is
     * expanded with the arguments and read when the prompt is got.
     */
    public record Message(
            String role, Optional<String> text, Optional<UriTemplate> resourceTemplate, Optional<String> resourceUri) {
        public Message {
            requireNonNull(role, "role");
            requireNonNull(text, "text");
            requireNonNull(resourceTemplate, "resourceTemplate");
            requireNonNull(resourceUri, "resourceUri");
        }
    }
}
