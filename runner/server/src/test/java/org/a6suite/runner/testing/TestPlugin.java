package org.a6suite.runner.testing;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Execution;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.Requirements;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.plugin.ResponseView;

/** A plugin assembled from lambdas; its configuration is the raw value string. */
public final class TestPlugin implements Plugin<String> {

    /** Parses a value; may throw {@link PluginConfigException}. */
    @FunctionalInterface
    public interface Parser {
        String parse(String value) throws PluginConfigException;
    }

    private final String name;
    private final Parser parser;
    private final Function<String, Requirements> requirements;
    private final Execution execution;
    private final BiFunction<RequestView, String, CompletionStage<RequestDecision>> onRequest;
    private final BiFunction<ResponseView, String, CompletionStage<ResponseDecision>> onResponse;
    private final LaneCallback onLane;

    /** A lane callback: the request, the parsed config and the call context. */
    @FunctionalInterface
    public interface LaneCallback {
        CompletionStage<LaneResponse> answer(RequestView request, String config, CallContext context);
    }

    private TestPlugin(Builder b) {
        this.name = b.name;
        this.parser = b.parser;
        this.requirements = b.requirements;
        this.execution = b.execution;
        this.onRequest = b.onRequest;
        this.onResponse = b.onResponse;
        this.onLane = b.onLane;
    }

    public static Builder named(String name) {
        return new Builder(name);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String parseConfig(String value) throws PluginConfigException {
        return parser.parse(value);
    }

    @Override
    public Requirements requirements(String config) {
        return requirements.apply(config);
    }

    @Override
    public Execution execution() {
        return execution;
    }

    @Override
    public CompletionStage<RequestDecision> onRequest(RequestView request, String config, CallContext context) {
        return onRequest.apply(request, config);
    }

    @Override
    public CompletionStage<ResponseDecision> onResponse(ResponseView response, String config, CallContext context) {
        return onResponse.apply(response, config);
    }

    @Override
    public CompletionStage<LaneResponse> onLane(RequestView request, String config, CallContext context) {
        return onLane == null ? Plugin.super.onLane(request, config, context) : onLane.answer(request, config, context);
    }

    /** Builds a {@link TestPlugin}. */
    public static final class Builder {
        private final String name;
        private Parser parser = v -> v;
        private Function<String, Requirements> requirements = c -> Requirements.NONE;
        private Execution execution = Execution.NON_BLOCKING;
        private BiFunction<RequestView, String, CompletionStage<RequestDecision>> onRequest =
                (r, c) -> CompletableFuture.completedFuture(RequestDecision.proceed());
        private BiFunction<ResponseView, String, CompletionStage<ResponseDecision>> onResponse =
                (r, c) -> CompletableFuture.completedFuture(ResponseDecision.pass());
        private LaneCallback onLane;

        private Builder(String name) {
            this.name = requireNonNull(name, "name");
        }

        public Builder parser(Parser parser) {
            this.parser = parser;
            return this;
        }

        public Builder requirements(Requirements requirements) {
            this.requirements = c -> requirements;
            return this;
        }

        public Builder adaptive() {
            this.execution = Execution.ADAPTIVE;
            return this;
        }

        public Builder blocking() {
            this.execution = Execution.BLOCKING;
            return this;
        }

        /** A synchronous request callback. */
        public Builder onRequest(BiFunction<RequestView, String, RequestDecision> callback) {
            this.onRequest = (r, c) -> CompletableFuture.completedFuture(callback.apply(r, c));
            return this;
        }

        public Builder onRequestAsync(BiFunction<RequestView, String, CompletionStage<RequestDecision>> callback) {
            this.onRequest = callback;
            return this;
        }

        public Builder onResponse(BiFunction<ResponseView, String, ResponseDecision> callback) {
            this.onResponse = (r, c) -> CompletableFuture.completedFuture(callback.apply(r, c));
            return this;
        }

        /** Answers lane calls; without it the plugin answers 501 there, as the API's default does. */
        public Builder onLane(LaneCallback callback) {
            this.onLane = callback;
            return this;
        }

        public TestPlugin build() {
            return new TestPlugin(this);
        }
    }
}
