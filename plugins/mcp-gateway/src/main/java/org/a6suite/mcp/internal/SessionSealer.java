package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.a6suite.mcp.config.KeyRing;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Seals a {@link SessionContext} into an {@code Mcp-Session-Id} and opens it again.
 *
 * <pre>
 *   A6M1.&lt;keyId&gt;.&lt;base64url( nonce[12] | AES-GCM ciphertext | tag[16] )&gt;
 *   AAD = "a6-mcp-session/1|" + keyId + "|" + audience
 * </pre>
 *
 * Every character is visible ASCII, as MCP requires. The key id says which ring key opens the id, so a rotated ring
 * still opens ids sealed under an older key it holds. Opening fails (empty) for anything tampered, expired, sealed
 * for another audience (route) or under a key the ring no longer holds; callers answer 404 and the client
 * re-initializes.
 */
public final class SessionSealer {

    private static final String PREFIX = "A6M1.";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** Far above any id this class seals; bounds the work an attacker can make us do. */
    private static final int MAX_TOKEN_CHARS = 8192;

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    /** Ids opened recently, so the calls of a session pay AES-GCM and JSON once per {@link #OPENED_TTL}, not each. */
    static final int OPENED_MAX = 10_000;

    static final Duration OPENED_TTL = Duration.ofSeconds(30);

    private final KeyRing ring;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final SecureRandom random;
    /**
     * (id text, audience) to what it opened to. Only ids that opened are kept, and only the exact text seal()
     * writes opens, so the text is the key; the expiry is still checked on every hit, so a cached id stops opening
     * at its expiry exactly as an uncached one. Keyed per sealer, that is per key ring: a new ring starts empty.
     */
    private final Cache<Opened, SessionContext> opened;

    /** The cache key: an id is sealed for one audience (route). */
    private record Opened(String token, String audience) {}

    public SessionSealer(KeyRing ring, ObjectMapper mapper, Clock clock, SecureRandom random) {
        this.ring = requireNonNull(ring, "ring");
        this.mapper = requireNonNull(mapper, "mapper");
        this.clock = requireNonNull(clock, "clock");
        this.random = requireNonNull(random, "random");
        this.opened = Caffeine.newBuilder()
                .maximumSize(OPENED_MAX)
                .expireAfterWrite(OPENED_TTL)
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run)
                .build();
    }

    public String seal(SessionContext session, String audience) {
        requireNonNull(session, "session");
        requireNonNull(audience, "audience");
        byte[] plain = mapper.writeValueAsBytes(toJson(session));
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        String keyId = ring.activeId();
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, ring.active(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad(keyId, audience));
            byte[] sealed = cipher.doFinal(plain);
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return PREFIX + keyId + "." + ENCODER.encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("sealing failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /** Opens {@code token}; empty when it is malformed, tampered, foreign, under an unknown key, or expired. */
    public Optional<SessionContext> open(String token, String audience) {
        requireNonNull(token, "token");
        requireNonNull(audience, "audience");
        Opened key = new Opened(token, audience);
        SessionContext known = opened.getIfPresent(key);
        if (known != null) {
            return clock.instant().isBefore(known.expiresAt()) ? Optional.of(known) : Optional.empty();
        }
        Optional<SessionContext> session = unseal(token, audience);
        session.ifPresent(s -> opened.put(key, s));
        return session;
    }

    private Optional<SessionContext> unseal(String token, String audience) {
        if (token.length() > MAX_TOKEN_CHARS || !token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int dot = token.indexOf('.', PREFIX.length());
        if (dot < 0) {
            return Optional.empty();
        }
        String keyId = token.substring(PREFIX.length(), dot);
        Optional<SecretKey> key = ring.find(keyId);
        if (key.isEmpty()) {
            return Optional.empty();
        }
        String text = token.substring(dot + 1);
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        // One id, one spelling: the decoder also takes padding and ignores the unused low bits of the last
        // character, so several texts open to the same bytes. Only the text seal() writes is accepted, so revocation
        // lists and caches keyed on the id's text cannot be sidestepped.
        if (!ENCODER.encodeToString(raw).equals(text)) {
            return Optional.empty();
        }
        if (raw.length < NONCE_BYTES + TAG_BITS / 8) {
            return Optional.empty();
        }
        byte[] plain;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key.get(), new GCMParameterSpec(TAG_BITS, raw, 0, NONCE_BYTES));
            cipher.updateAAD(aad(keyId, audience));
            plain = cipher.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            return Optional.empty();
        }
        Optional<SessionContext> session = fromJson(plain);
        return session.filter(s -> clock.instant().isBefore(s.expiresAt()));
    }

    private static byte[] aad(String keyId, String audience) {
        return ("a6-mcp-session/1|" + keyId + "|" + audience).getBytes(StandardCharsets.UTF_8);
    }

    private ObjectNode toJson(SessionContext s) {
        ObjectNode n = mapper.createObjectNode();
        n.put("v", 1);
        n.put("sid", s.sessionId());
        n.put("pv", s.protocolVersion());
        ObjectNode client = n.putObject("ci");
        client.put("name", s.clientName());
        client.put("version", s.clientVersion());
        n.put("p", s.principal());
        ObjectNode ups = n.putObject("u");
        s.upstreamSessions().forEach(ups::put);
        n.put("ch", s.catalogHash());
        n.put("exp", s.expiresAt().getEpochSecond());
        if (!s.relayed().equals("{}")) {
            n.put("cc", s.relayed());
        }
        return n;
    }

    private Optional<SessionContext> fromJson(byte[] plain) {
        try {
            JsonNode n = mapper.readTree(plain);
            if (n.path("v").asInt(0) != 1) {
                return Optional.empty();
            }
            Map<String, String> ups = new LinkedHashMap<>();
            n.path("u")
                    .properties()
                    .forEach(e -> ups.put(e.getKey(), e.getValue().asString()));
            return Optional.of(new SessionContext(
                    n.path("sid").asString(),
                    n.path("pv").asString(),
                    n.path("ci").path("name").asString(""),
                    n.path("ci").path("version").asString(""),
                    n.path("p").asString(""),
                    ups,
                    n.path("ch").asString(""),
                    Instant.ofEpochSecond(n.path("exp").asLong(0)),
                    n.path("cc").asString("{}")));
        } catch (JacksonException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
