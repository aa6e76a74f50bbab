package org.a6suite.optimizer.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.a6suite.optimizer.leader.Leadership;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Only the leader writes etcd: on a follower every write under {@code /api/} (policies, pause, resume, apply,
 * rollback) is a 503 {@code application/problem+json} naming {@code leader} and saying which replica leads, before it
 * reaches a controller. Reads, and {@code dry-run} (a POST that writes nothing), are served by every replica. Runs after
 * {@link ApiAuthFilter}, so a request without credentials learns nothing about the election.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
public class FollowerReadOnlyFilter extends OncePerRequestFilter {

    private final Leadership leadership;

    public FollowerReadOnlyFilter(Leadership leadership) {
        this.leadership = leadership;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String m = request.getMethod();
        boolean write = m.equals("POST") || m.equals("PUT") || m.equals("PATCH") || m.equals("DELETE");
        String uri = request.getRequestURI();
        return !write || !uri.startsWith("/api/") || uri.endsWith("/dry-run");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (leadership.isLeader()) {
            chain.doFilter(request, response);
            return;
        }
        String leader = leadership.currentLeader().orElse("unknown");
        Problems.write(
                response,
                503,
                "Not leader",
                "leader",
                "leader: this replica is a read-only follower " + "(expected: send writes to the leader, " + leader
                        + ")",
                request.getRequestURI(),
                Map.of("leader", leader));
    }
}
