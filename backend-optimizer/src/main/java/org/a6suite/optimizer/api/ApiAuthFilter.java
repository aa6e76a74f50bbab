package org.a6suite.optimizer.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.a6suite.optimizer.config.OptimizerProperties;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Requires a credential for every write ({@code POST}, {@code PUT}, {@code PATCH}, {@code DELETE}) under
 * {@code /api/}: the {@code X-API-Key} header equal to {@code a6.optimizer.api.api-key}, or {@code Authorization:
 * Bearer <token>} equal to {@code a6.optimizer.api.bearer-token}. Comparison is constant-time (on SHA-256 digests, so
 * not even the length leaks). Reads are open. With no credential configured, writes are refused.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class ApiAuthFilter extends OncePerRequestFilter {

    private final Optional<byte[]> apiKey;
    private final Optional<byte[]> bearer;

    public ApiAuthFilter(OptimizerProperties properties) {
        this.apiKey = Optional.ofNullable(properties.api().apiKey()).map(ApiAuthFilter::digest);
        this.bearer = Optional.ofNullable(properties.api().bearerToken()).map(ApiAuthFilter::digest);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String m = request.getMethod();
        boolean write = m.equals("POST") || m.equals("PUT") || m.equals("PATCH") || m.equals("DELETE");
        return !write || !request.getRequestURI().startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (apiKey.isEmpty() && bearer.isEmpty()) {
            Problems.write(
                    response,
                    403,
                    "Writes disabled",
                    "credentials",
                    "a6.optimizer.api: no api-key or "
                            + "bearer-token configured (expected: configure one to allow writes)",
                    request.getRequestURI());
            return;
        }
        if (matches(apiKey, request.getHeader("X-API-Key")) || matches(bearer, bearerToken(request))) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("WWW-Authenticate", "Bearer realm=\"a6-optimizer\"");
        // Never echo what was sent: it may be someone's secret with a typo.
        Problems.write(
                response,
                401,
                "Unauthorized",
                "credentials",
                "credentials: missing or invalid (expected: X-API-Key header or Authorization: Bearer token)",
                request.getRequestURI());
    }

    private static String bearerToken(HttpServletRequest request) {
        String h = request.getHeader("Authorization");
        return h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)
                ? h.substring(7).strip()
                : null;
    }

    private static boolean matches(Optional<byte[]> expected, String given) {
        if (expected.isEmpty() || given == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.get(), digest(given));
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
