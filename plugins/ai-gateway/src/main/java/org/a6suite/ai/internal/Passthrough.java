package org.a6suite.ai.internal;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.OpenAiAdapter;
import org.a6suite.ai.internal.provider.OpenAiChatBody;
import org.a6suite.ai.internal.provider.Operation;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.RequestDecision;
import tools.jackson.databind.node.ObjectNode;

/** Pass-through mode: the first target (by strategy, open breakers last) is rewritten for APISIX to proxy. */
final class Passthrough {

    private final Credentials credentials;

    Passthrough(Credentials credentials) {
        this.credentials = credentials;
    }

    /** Pass-through: the first target (by strategy, open breakers last) is rewritten for APISIX to proxy. */
    CompletionStage<RequestDecision> rewrite(ParsedCall call, AiGatewayConfig config) {
        TargetRuntime chosen = call.ordered().get(0);
        Target target = chosen.target();
        return credentials.resolve(target).handle((key, error) -> {
            if (error != null) {
                return new ApiError(
                                503,
                                "no provider is available",
                                "upstream_error",
                                Optional.empty(),
                                "no_provider_available")
                        .toStop();
            }
            String operationPath = call.operation() == Operation.CHAT
                    ? OpenAiAdapter.chatPath(target)
                    : OpenAiAdapter.embeddingsPath(target);
            URI endpoint = URI.create(target.endpoint());
            String basePath = endpoint.getPath() == null ? "" : endpoint.getPath();
            int query = operationPath.indexOf('?');
            String path = basePath + (query < 0 ? operationPath : operationPath.substring(0, query));
            ObjectNode body = call.operation() == Operation.CHAT
                    ? OpenAiChatBody.mapBody(target, call.request().tree(), call.stream())
                    : call.request().tree().deepCopy().put("model", target.model());
            RequestDecision.Rewrite.Builder rewrite = RequestDecision.rewrite()
                    .path(path)
                    .setHeader(config.passthrough().targetHeader(), target.id())
                    .removeHeader("authorization")
                    .removeHeader("api-key")
                    .setHeader("content-type", "application/json")
                    .body(Body.wrap(Json.MAPPER.writeValueAsBytes(body)))
                    .addResponseHeader("x-a6-ai-target", target.id())
                    .addResponseHeader("x-a6-ai-provider", target.type().wireName())
                    .addResponseHeader("x-a6-ai-model", target.model());
            OpenAiAdapter.authHeaders(target, key).forEach(rewrite::setHeader);
            if (query >= 0) {
                for (String pair : operationPath.substring(query + 1).split("&")) {
                    int eq = pair.indexOf('=');
                    rewrite.setArg(
                            pair.substring(0, eq),
                            java.net.URLDecoder.decode(
                                    pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return rewrite.build();
        });
    }
}
