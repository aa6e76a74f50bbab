package org.a6suite.compat;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.a6suite.compat.internal.CompletingChain;
import org.a6suite.compat.internal.RecordingHttpResponse;
import org.a6suite.compat.internal.RecordingPostResponse;
import org.a6suite.compat.internal.SdkDecisions;
import org.a6suite.compat.internal.SdkObjects;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Execution;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.Requirements;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.plugin.ResponseView;
import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.PostRequest;
import org.apache.apisix.plugin.runner.PostResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one filter written for the official runner's SDK ({@link PluginFilter} from
 * {@code org.apache.apisix:apisix-runner-plugin-sdk:0.6.0}) unchanged, as a {@link Plugin}.
 *
 * <p>Per call it builds the SDK's own {@link HttpRequest}/{@link HttpResponse} (or {@link PostRequest}/
 * {@link PostResponse}) from our view, hands the filter a chain whose {@code filter}/{@code postFilter} completes
 * the returned stage with the decision the filter recorded, and maps that decision exactly as the official runner
 * would encode it (the last of Stop-type or Rewrite-type setter calls wins). The chain may be called from any thread,
 * so async filters work. Differences from the official runner, on purpose:
 * <ul>
 *   <li>a filter that never calls the chain fails the call after {@link #chainTimeout()} (default
 *       {@value #DEFAULT_CHAIN_TIMEOUT_SECONDS} s, below APISIX's 60 s read timeout) instead of hanging;</li>
 *   <li>a filter that throws fails the call; a second chain call is ignored, so APISIX gets exactly one reply;</li>
 *   <li>a filter that does not implement the phase it is called in ({@code filter} for ext-plugin-pre-req/post-req,
 *       {@code postFilter} for ext-plugin-post-resp) lets the call proceed at once; the SDK's empty default
 *       would never call the chain;</li>
 *   <li>{@code request.getConfig(otherFilter)} returns {@code null}: a filter sees only its own conf value.</li>
 * </ul>
 *
 * <p>Official filters may block (the official runner ran them on its event loop, where blocking stalled every
 * connection), but most never do. {@link #execution()} is {@link Execution#ADAPTIVE}: the runner calls a filter on a
 * worker thread until a run of quick calls shows it does not block, then on its I/O thread with no thread hop (the
 * official runner's cost), and back on worker threads for good from the first call that runs long.
 */
public final class SdkFilterPlugin implements Plugin<SdkFilterConfig> {

    /** Seconds in {@link #DEFAULT_CHAIN_TIMEOUT}. */
    public static final long DEFAULT_CHAIN_TIMEOUT_SECONDS = 55;

    /** How long a filter may take to call the chain; 5 s below APISIX's fixed 60 s RPC read timeout. */
    public static final Duration DEFAULT_CHAIN_TIMEOUT = Duration.ofSeconds(DEFAULT_CHAIN_TIMEOUT_SECONDS);

    private static final Logger log = LoggerFactory.getLogger(SdkFilterPlugin.class);
    private static final int MAX_NAME_LENGTH = 128;

    private final PluginFilter filter;
    private final String name;
    private final Duration chainTimeout;
    private final Set<String> requiredVars;
    private final boolean requiredBody;
    private final boolean requiredRespBody;
    private final Requirements requirements;
    private final boolean implementsFilter;
    private final boolean implementsPostFilter;

    /** Adapts {@code filter} with the {@link #DEFAULT_CHAIN_TIMEOUT}. */
    public SdkFilterPlugin(PluginFilter filter) {
        this(filter, DEFAULT_CHAIN_TIMEOUT);
    }

    /**
     * Adapts {@code filter}. Its {@code name()}, {@code requiredVars()}, {@code requiredBody()} and
     * {@code requiredRespBody()} are read once, here (the official runner re-reads them per call).
     *
     * @param chainTimeout how long a call may wait for the filter to call the chain; positive
     * @throws IllegalArgumentException if the filter's name is not 1 to 128 characters or the timeout is not positive
     */
    public SdkFilterPlugin(PluginFilter filter, Duration chainTimeout) {
        this.filter = requireNonNull(filter, "filter");
        this.chainTimeout = requireNonNull(chainTimeout, "chainTimeout");
        if (chainTimeout.isNegative() || chainTimeout.isZero()) {
            throw new IllegalArgumentException("chainTimeout: " + chainTimeout + " (expected: > 0)");
        }
        String filterName = filter.name();
        if (filterName == null || filterName.isEmpty() || filterName.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("name: " + filterName + " of "
                    + filter.getClass().getName() + " (expected: 1.." + MAX_NAME_LENGTH + " characters)");
        }
        this.name = filterName;
        List<String> vars = filter.requiredVars();
        // The SDK's default requiredVars() is null, meaning none; null entries would make APISIX fail the RPC.
        this.requiredVars = vars == null
                ? Set.of()
                : Set.copyOf(new LinkedHashSet<>(
                        vars.stream().filter(v -> v != null && !v.isEmpty()).toList()));
        this.requiredBody = Boolean.TRUE.equals(filter.requiredBody());
        this.requiredRespBody = Boolean.TRUE.equals(filter.requiredRespBody());
        this.requirements = new Requirements(requiredVars, requiredBody, requiredRespBody);
        this.implementsFilter = overrides(filter, "filter", HttpRequest.class, HttpResponse.class);
        this.implementsPostFilter = overrides(filter, "postFilter", PostRequest.class, PostResponse.class);
    }

    /** The adapted filter. */
    public PluginFilter filter() {
        return filter;
    }

    /** How long a call waits for the filter to call the chain. */
    public Duration chainTimeout() {
        return chainTimeout;
    }

    @Override
    public String name() {
        return name;
    }

    /** Keeps the raw value; the filter parses it itself through {@code getConfig(this)}. Never fails. */
    @Override
    public SdkFilterConfig parseConfig(String value) {
        return new SdkFilterConfig(value == null ? "" : value);
    }

    @Override
    public Requirements requirements(SdkFilterConfig config) {
        return requirements;
    }

    @Override
    public Execution execution() {
        return Execution.ADAPTIVE;
    }

    @Override
    public CompletionStage<RequestDecision> onRequest(
            RequestView request, SdkFilterConfig config, CallContext context) {
        if (!implementsFilter) {
            return CompletableFuture.completedFuture(RequestDecision.proceed());
        }
        var result = new CompletableFuture<RequestDecision>();
        var response = new RecordingHttpResponse(context.requestId());
        var chain = new CompletingChain(() -> completeWith(result, () -> SdkDecisions.requestDecision(response)));
        try {
            HttpRequest sdkRequest = SdkObjects.httpRequest(
                    request, context.requestId(), response, configMap(config), requiredVars, requiredBody);
            runWithFilterLoader(() -> filter.filter(sdkRequest, response, chain));
        } catch (Throwable t) {
            failed(result, chain, t);
        }
        return withDeadline(result, "chain.filter");
    }

    @Override
    public CompletionStage<ResponseDecision> onResponse(
            ResponseView response, SdkFilterConfig config, CallContext context) {
        if (!implementsPostFilter) {
            return CompletableFuture.completedFuture(ResponseDecision.pass());
        }
        var result = new CompletableFuture<ResponseDecision>();
        var sdkResponse = new RecordingPostResponse(context.requestId());
        var chain = new CompletingChain(() -> completeWith(result, () -> SdkDecisions.responseDecision(sdkResponse)));
        try {
            PostRequest sdkRequest = SdkObjects.postRequest(
                    response, context.requestId(), configMap(config), requiredVars, requiredRespBody);
            runWithFilterLoader(() -> filter.postFilter(sdkRequest, sdkResponse, chain));
        } catch (Throwable t) {
            failed(result, chain, t);
        }
        return withDeadline(result, "chain.postFilter");
    }

    @Override
    public String toString() {
        return "SdkFilterPlugin[" + name + " = " + filter.getClass().getName() + "]";
    }

    private Map<String, String> configMap(SdkFilterConfig config) {
        // A HashMap, not Map.of: the SDK calls getOrDefault(otherFilter.name(), null), and a name may be null.
        var map = new HashMap<String, String>(2);
        map.put(name, config.value());
        return map;
    }

    private <T> void completeWith(CompletableFuture<T> result, Supplier<T> decision) {
        T value;
        try {
            value = decision.get();
        } catch (RuntimeException e) {
            result.completeExceptionally(new SdkFilterException(
                    "SDK filter " + name + " ("
                            + filter.getClass().getName() + ") recorded a response that cannot be sent to APISIX: "
                            + e.getMessage(),
                    e));
            return;
        }
        // The chain lets only its first call through, so a refused completion means the call had already failed
        // (the filter threw, or the deadline passed) and APISIX has had its answer.
        if (!result.complete(value)) {
            log.warn(
                    "SDK filter {} ({}) called the chain after its call had failed or timed out; "
                            + "its changes were dropped",
                    name,
                    filter.getClass().getName());
        }
    }

    private void failed(CompletableFuture<?> result, CompletingChain chain, Throwable t) {
        if (t instanceof VirtualMachineError vme) {
            throw vme;
        }
        if (chain.isDone()) {
            // The decision was already taken; the official runner would have replied too (and then sent an Err).
            log.warn(
                    "SDK filter {} ({}) threw after calling the chain; its decision stands",
                    name,
                    filter.getClass().getName(),
                    t);
            return;
        }
        result.completeExceptionally(new SdkFilterException(
                "SDK filter " + name + " (" + filter.getClass().getName() + ") threw "
                        + t.getClass().getName(),
                t));
    }

    private <T> CompletionStage<T> withDeadline(CompletableFuture<T> result, String what) {
        if (result.isDone()) {
            return result;
        }
        // orTimeout cancels its timer when the stage completes, so a busy runner does not keep one 55 s timer per
        // finished call alive.
        return result.orTimeout(chainTimeout.toNanos(), TimeUnit.NANOSECONDS).exceptionallyCompose(e -> {
            if (e instanceof TimeoutException && !(e instanceof SdkFilterTimeoutException)) {
                return CompletableFuture.failedFuture(new SdkFilterTimeoutException("SDK filter " + name + " ("
                        + filter.getClass().getName() + ") did not call " + what + " within " + chainTimeout
                        + "; the call fails instead of waiting for APISIX's 60 s timeout"));
            }
            return CompletableFuture.failedFuture(e);
        });
    }

    /**
     * Runs a filter callback with the filter's class loader as the thread's context loader, as it was in the
     * official runner (one Spring Boot loader for everything), so filters that look up resources or services
     * through the context loader find their own jar's.
     */
    private void runWithFilterLoader(Runnable callback) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        ClassLoader filterLoader = filter.getClass().getClassLoader();
        if (filterLoader == null || filterLoader == previous) {
            callback.run();
            return;
        }
        thread.setContextClassLoader(filterLoader);
        try {
            callback.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static boolean overrides(PluginFilter filter, String method, Class<?>... parameters) {
        try {
            return filter.getClass()
                            .getMethod(method, append(parameters, PluginFilterChain.class))
                            .getDeclaringClass()
                    != PluginFilter.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static Class<?>[] append(Class<?>[] types, Class<?> last) {
        Class<?>[] all = Arrays.copyOf(types, types.length + 1);
        all[types.length] = last;
        return all;
    }
}
