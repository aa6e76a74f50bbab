package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.a6suite.emulator.ExtPluginConf;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.ErrorResponse;
import org.a6suite.protocol.message.ExtraInfoRequest;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.PrepareConfResponse;
import org.a6suite.protocol.message.TextEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * APISIX's {@code ext-plugin/init.lua} {@code communicate} and {@code rpc_call} (transcripts README §4):
 * <ol>
 *   <li>take connection C1;</li>
 *   <li>find the token in the cache, or send PrepareConf on a <b>different</b> connection C2 (one PrepareConf per key
 *       at a time, like the global {@code prepare_conf} lock);</li>
 *   <li>send the call on C1 and answer ExtraInfo until a frame of the call's type or type 0;</li>
 *   <li>Err 2 (CONF_TOKEN_NOT_FOUND): close C1, flush every token and try again on new connections, 3 tries in all;
 *       any other failure ends the invocation at once.</li>
 * </ol>
 *
 * <p>Both connections are taken from the pool of the request's event loop (nginx's worker), so every step of the
 * invocation runs on that loop's thread; only a PrepareConf shared with a request of another loop completes elsewhere,
 * and its token is handed back to the loop before the call goes on.
 */
public final class ExtPluginClient {

    private static final Logger log = LoggerFactory.getLogger(ExtPluginClient.class);
    static final int MAX_TRIES = 3;

    private final RunnerPool pool;
    private final TokenCache tokens;
    private final Duration readTimeout;
    private final ConcurrentHashMap<String, CompletableFuture<Long>> preparing = new ConcurrentHashMap<>();

    public ExtPluginClient(RunnerPool pool, TokenCache tokens, Duration readTimeout) {
        this.pool = requireNonNull(pool, "pool");
        this.tokens = requireNonNull(tokens, "tokens");
        this.readTimeout = requireNonNull(readTimeout, "readTimeout");
    }

    /**
     * Runs one ext-plugin invocation on {@code loop}'s connections; the result completes on {@code loop}.
     *
     * @param loop      the event loop of the request's client connection
     * @param key       the PrepareConf key {@code route#<id>#<plugin>#<version>}
     * @param buildCall builds the HTTPReqCall/HTTPRespCall for a token; may throw {@link NotEncodableException}
     * @param extraInfo answers the runner's ExtraInfo requests
     */
    public CompletableFuture<RpcOutcome> communicate(
            EventLoop loop,
            String key,
            ExtPluginConf conf,
            LongFunction<A6Message> buildCall,
            Function<ExtraInfoRequest.Info, Optional<byte[]>> extraInfo) {
        return attempt(loop, 1, key, conf, buildCall, extraInfo);
    }

    private CompletableFuture<RpcOutcome> attempt(
            EventLoop loop,
            int tryNumber,
            String key,
            ExtPluginConf conf,
            LongFunction<A6Message> buildCall,
            Function<ExtraInfoRequest.Info, Optional<byte[]>> extraInfo) {
        return pool.acquire(loop)
                .handle((c1, connectError) -> {
                    if (connectError != null) {
                        return CompletableFuture.<RpcOutcome>completedFuture(
                                new RpcOutcome.Failed(message(connectError), true));
                    }
                    return Loops.on(loop, token(loop, key, conf))
                            .handle((token, prepareError) -> {
                                if (prepareError != null) {
                                    pool.discard(c1);
                                    return CompletableFuture.<RpcOutcome>completedFuture(
                                            new RpcOutcome.Failed(message(prepareError), true));
                                }
                                A6Message call;
                                try {
                                    call = buildCall.apply(token);
                                } catch (NotEncodableException e) {
                                    pool.discard(c1);
                                    return CompletableFuture.<RpcOutcome>completedFuture(
                                            new RpcOutcome.NotEncodable(e.getMessage()));
                                }
                                return c1.call(call, extraInfo, readTimeout)
                                        .handle((reply, callError) -> {
                                            if (callError != null) {
                                                pool.discard(c1);
                                                return CompletableFuture.<RpcOutcome>completedFuture(
                                                        new RpcOutcome.Failed(message(callError), true));
                                            }
                                            if (reply instanceof ErrorResponse err) {
                                                pool.discard(c1);
                                                if (err.code() == ErrorResponse.Code.CONF_TOKEN_NOT_FOUND) {
                                                    log.warn(
                                                            "refresh cache and try again (key {}, try {} of {})",
                                                            key,
                                                            tryNumber,
                                                            MAX_TRIES);
                                                    tokens.flush();
                                                    if (tryNumber < MAX_TRIES) {
                                                        return attempt(
                                                                loop, tryNumber + 1, key, conf, buildCall, extraInfo);
                                                    }
                                                    return CompletableFuture.<RpcOutcome>completedFuture(
                                                            new RpcOutcome.Failed(
                                                                    "conf token not found after " + MAX_TRIES
                                                                            + " tries",
                                                                    false));
                                                }
                                                return CompletableFuture.<RpcOutcome>completedFuture(
                                                        new RpcOutcome.Failed(
                                                                "runner answered Err code " + err.code(), true));
                                            }
                                            pool.release(c1);
                                            return CompletableFuture.<RpcOutcome>completedFuture(
                                                    new RpcOutcome.Replied(reply));
                                        })
                                        .thenCompose(Function.identity());
                            })
                            .thenCompose(Function.identity());
                })
                .thenCompose(Function.identity());
    }

    /** The cached token, or a PrepareConf on its own connection; concurrent misses for one key share one PrepareConf. */
    private CompletableFuture<Long> token(EventLoop loop, String key, ExtPluginConf conf) {
        OptionalLong cached = tokens.get(key);
        if (cached.isPresent()) {
            return CompletableFuture.completedFuture(cached.getAsLong());
        }
        CompletableFuture<Long> mine = new CompletableFuture<>();
        CompletableFuture<Long> existing = preparing.putIfAbsent(key, mine);
        if (existing != null) {
            return existing;
        }
        prepare(loop, key, conf).whenComplete((token, error) -> {
            preparing.remove(key, mine);
            if (error != null) {
                mine.completeExceptionally(error);
            } else {
                tokens.put(key, token);
                mine.complete(token);
            }
        });
        return mine;
    }

    private CompletableFuture<Long> prepare(EventLoop loop, String key, ExtPluginConf conf) {
        List<TextEntry> entries =
                conf.conf().stream().map(e -> TextEntry.of(e.name(), e.value())).toList();
        PrepareConfRequest request = new PrepareConfRequest(entries, Optional.of(key));
        return pool.acquire(loop)
                .thenCompose(c2 -> c2.call(
                                request,
                                info -> {
                                    throw new RpcException("extra info during PrepareConf");
                                },
                                readTimeout)
                        .handle((reply, error) -> {
                            if (error != null) {
                                pool.discard(c2);
                                throw new CompletionException(
                                        error instanceof CompletionException ce ? ce.getCause() : error);
                            }
                            if (reply instanceof PrepareConfResponse resp) {
                                // The official runner writes this reply twice (transcripts README, surprise 2): the
                                // pool drops C2 then.
                                pool.release(c2);
                                return resp.confToken();
                            }
                            pool.discard(c2);
                            throw new RpcException("failed to receive RPC_PREPARE_CONF: " + reply);
                        }));
    }

    private static String message(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }
}
