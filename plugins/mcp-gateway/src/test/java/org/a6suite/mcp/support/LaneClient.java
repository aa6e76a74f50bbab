package org.a6suite.mcp.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * A raw Streamable HTTP client for lane tests (the JDK's HTTP client): POSTs whose answers are read whole or as SSE
 * events, and GET streams read event by event in the background.
 */
public final class LaneClient {

    /** One SSE event: its id and data ({@code ""} for a priming event). */
    public record Event(Optional<String> id, String data) {
        public JsonNode json() {
            return McpRequests.MAPPER.readTree(data);
        }
    }

    /** A finished answer: status, content type, and either the JSON body or the SSE events. */
    public record Answer(int status, String contentType, String body, List<Event> events, HttpResponse<?> response) {
        public JsonNode json() {
            return McpRequests.MAPPER.readTree(body);
        }

        public boolean isSse() {
            return contentType.startsWith("text/event-stream");
        }

        /** The events that carry a JSON-RPC message (priming events left out). */
        public List<JsonNode> messages() {
            return events.stream()
                    .filter(e -> !e.data().isEmpty())
                    .map(Event::json)
                    .toList();
        }
    }

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI endpoint;

    public LaneClient(URI baseUri) {
        this.endpoint = baseUri.resolve("/mcp");
    }

    public HttpClient http() {
        return http;
    }

    private HttpRequest.Builder base(String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(30))
                .header("accept", "application/json, text/event-stream");
        for (int i = 0; i < headers.length; i += 2) {
            b.setHeader(headers[i], headers[i + 1]);
        }
        return b;
    }

    /** POSTs {@code body}; an SSE answer is read to its end. */
    public Answer post(String body, String... headers) {
        return postAsync(body, headers).join();
    }

    public CompletableFuture<Answer> postAsync(String body, String... headers) {
        HttpRequest request = base(headers)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenApply(LaneClient::read);
    }

    /** POSTs {@code body} and hands each SSE event to {@code events} as it arrives (for answering mid-stream). */
    public CompletableFuture<Integer> postStreaming(String body, BlockingQueue<Event> events, String... headers) {
        HttpRequest request = base(headers)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenApplyAsync(response -> {
            parse(response.body(), events::add);
            return response.statusCode();
        });
    }

    /** Opens a GET stream; its events arrive in the returned queue (read in the background). */
    public BlockingQueue<Event> get(String... headers) throws IOException, InterruptedException {
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        HttpRequest request = base(headers)
                .header("accept", "text/event-stream")
                .GET()
                .timeout(Duration.ofMinutes(5))
                .build();
        HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET answered " + response.statusCode());
        }
        Thread.ofVirtual().start(() -> {
            try {
                parse(response.body(), events::add);
            } catch (RuntimeException e) {
                // the stream was closed
            }
        });
        return events;
    }

    /** The next event within 10 s. */
    public static Event next(BlockingQueue<Event> events) throws InterruptedException {
        Event event = events.poll(10, TimeUnit.SECONDS);
        if (event == null) {
            throw new AssertionError("no event within 10 s");
        }
        return event;
    }

    private static Answer read(HttpResponse<Stream<String>> response) {
        String type = response.headers().firstValue("content-type").orElse("");
        if (type.startsWith("text/event-stream")) {
            List<Event> events = new ArrayList<>();
            parse(response.body(), events::add);
            return new Answer(response.statusCode(), type, "", events, response);
        }
        StringBuilder body = new StringBuilder();
        response.body().forEach(line -> body.append(line).append('\n'));
        return new Answer(response.statusCode(), type, body.toString().strip(), List.of(), response);
    }

    private static void parse(Stream<String> lines, java.util.function.Consumer<Event> out) {
        String[] id = {null};
        StringBuilder data = new StringBuilder();
        boolean[] hasData = {false};
        lines.forEach(line -> {
            if (line.isEmpty()) {
                if (hasData[0] || id[0] != null) {
                    out.accept(new Event(Optional.ofNullable(id[0]), data.toString()));
                }
                id[0] = null;
                data.setLength(0);
                hasData[0] = false;
            } else if (line.startsWith("id:")) {
                id[0] = line.substring(3).strip();
            } else if (line.startsWith("data:")) {
                if (hasData[0]) {
                    data.append('\n');
                }
                data.append(line.substring(5).strip());
                hasData[0] = true;
            }
        });
    }
}
