package org.a6suite.runner.chain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.QueryArgs;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestDecision.Rewrite;
import org.a6suite.plugin.RequestView;

/**
 * Folds the rewrites of a chain into the one Rewrite action APISIX can apply, and keeps the request view the next
 * plugin sees in step with them.
 *
 * <p>Merge rules (APISIX applies one Rewrite per call): the last path and body win; a header's last edit wins
 * (names compared ignoring case, as APISIX does); a later plugin's edits of an argument replace an earlier plugin's
 * edits of the same name (within one plugin, the first value replaces and later ones append, APISIX's own rule);
 * response headers accumulate in order; the last link that asks for a lane handoff ({@code toLane()}) is the one the
 * lane calls, since it is the one that saw the request as APISIX will forward it.
 */
final class RewriteMerger {

    private Optional<String> path = Optional.empty();
    // One merger per call, most of which never rewrite: the collections are made on the first rewrite.
    private Map<String, Rewrite.HeaderEdit> headers;
    private Map<String, List<Rewrite.ArgEdit>> args;
    private List<Headers.Header> responseHeaders;
    private Optional<Body> body = Optional.empty();
    private boolean rewritten;
    private OptionalInt laneLink = OptionalInt.empty();

    /** Records {@code rewrite}, made by the link at {@code linkIndex}, into the one Rewrite APISIX will get. */
    void merge(Rewrite rewrite, int linkIndex) {
        if (!rewritten) {
            rewritten = true;
            headers = new LinkedHashMap<>();
            args = new LinkedHashMap<>();
            responseHeaders = new ArrayList<>();
        }
        if (rewrite.lane()) {
            laneLink = OptionalInt.of(linkIndex);
        }
        if (rewrite.path().isPresent()) {
            path = rewrite.path();
        }
        for (Rewrite.HeaderEdit edit : rewrite.headers()) {
            headers.remove(edit.name().toLowerCase(Locale.ROOT));
            headers.put(edit.name().toLowerCase(Locale.ROOT), edit);
        }
        if (!rewrite.args().isEmpty()) {
            for (Map.Entry<String, List<Rewrite.ArgEdit>> e :
                    argEditsByName(rewrite).entrySet()) {
                args.remove(e.getKey());
                args.put(e.getKey(), e.getValue());
            }
        }
        responseHeaders.addAll(rewrite.responseHeaders());
        if (rewrite.body().isPresent()) {
            body = rewrite.body();
        }
    }

    /**
     * {@code view} as the next plugin should see it after {@code rewrite}. Only called when a later link will read
     * it: editing headers makes every header of the view a String, which the last link's rewrite need not pay for.
     */
    static RequestView view(RequestView view, Rewrite rewrite) {
        RequestView.Builder next = view.toBuilder();
        if (rewrite.path().isPresent()) {
            next.path(rewrite.path().get());
        }
        Headers viewHeaders = view.headers();
        for (Rewrite.HeaderEdit edit : rewrite.headers()) {
            // APISIX deletes on an absent value and on "" alike (transcript s03).
            Optional<String> value = edit.value().filter(v -> !v.isEmpty());
            viewHeaders =
                    value.isPresent() ? viewHeaders.with(edit.name(), value.get()) : viewHeaders.without(edit.name());
        }
        next.headers(viewHeaders);
        if (!rewrite.args().isEmpty()) {
            List<QueryArgs.Arg> viewArgs = new ArrayList<>(view.args().entries());
            for (Map.Entry<String, List<Rewrite.ArgEdit>> e :
                    argEditsByName(rewrite).entrySet()) {
                viewArgs.removeIf(a -> a.name().equals(e.getKey()));
                for (Rewrite.ArgEdit edit : e.getValue()) {
                    edit.value().ifPresent(v -> viewArgs.add(QueryArgs.Arg.of(edit.name(), v)));
                }
            }
            next.args(QueryArgs.of(viewArgs));
        }
        if (rewrite.body().isPresent()) {
            next.body(rewrite.body().get());
        }
        return next.build();
    }

    /** One plugin's argument edits grouped by name, in first-edit order. */
    private static Map<String, List<Rewrite.ArgEdit>> argEditsByName(Rewrite rewrite) {
        Map<String, List<Rewrite.ArgEdit>> byName = new LinkedHashMap<>();
        for (Rewrite.ArgEdit edit : rewrite.args()) {
            byName.computeIfAbsent(edit.name(), n -> new ArrayList<>()).add(edit);
        }
        return byName;
    }

    /** {@link RequestDecision#proceed()} if nothing was rewritten, else the merged rewrite and its lane link. */
    RequestOutcome result() {
        if (!rewritten) {
            return RequestOutcome.of(RequestDecision.proceed());
        }
        List<Rewrite.ArgEdit> flatArgs = new ArrayList<>();
        args.values().forEach(flatArgs::addAll);
        return new RequestOutcome(
                new Rewrite(path, List.copyOf(headers.values()), flatArgs, responseHeaders, body, laneLink.isPresent()),
                laneLink);
    }
}
