package org.a6suite.runner.lane;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes and checks {@link Handoff} headers (format drawn there). The key is random per process and never leaves
 * it: a handoff is only valid at the lane of the runner whose pre-req call stamped it, and a restarted runner
 * rejects the handoffs of its predecessor.
 *
 * <p>Thread-safe: each thread keeps its own {@link Mac} (they are stateful), and the key is never changed.
 */
public final class HandoffSigner {

    /** 128 bits of the HMAC-SHA256 output are kept: enough against forgery, short enough for a header. */
    static final int MAC_BYTES = 16;

    private static final int KEY_BYTES = 32;
    /** Far above the longest valid header (~70 characters); a longer value is refused before any parsing. */
    private static final int MAX_HEADER_LENGTH = 160;

    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64_DECODER = Base64.getUrlDecoder();
    private static final long U32_MAX = 0xFFFF_FFFFL;

    private final SecretKeySpec key;
    private final Clock clock;
    private final long ttlMillis;
    private final ThreadLocal<Mac> macs;

    /**
     * @param key   at least 16 bytes of secret
     * @param clock the time source for expiries
     * @param ttl   how long a stamped handoff stays valid; positive
     */
    public HandoffSigner(byte[] key, Clock clock, Duration ttl) {
        requireNonNull(key, "key");
        if (key.length < 16) {
            throw new IllegalArgumentException("key: " + key.length + " bytes (expected: >= 16)");
        }
        this.clock = requireNonNull(clock, "clock");
        requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: positive)");
        }
        this.ttlMillis = ttl.toMillis();
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** A signer with a fresh 256-bit key from {@link SecureRandom}, as every runner process uses. */
    public static HandoffSigner withRandomKey(Clock clock, Duration ttl) {
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return new HandoffSigner(key, clock, ttl);
    }

    /** The header value handing APISIX call {@code requestId} on {@code confToken}'s chain to {@code link}. */
    public String stamp(long confToken, int link, long requestId) {
        long expires = clock.millis() + ttlMillis;
        String signed = Handoff.VERSION + '.' + confToken + '.' + link + '.' + requestId + '.' + expires;
        return signed + '.' + B64.encodeToString(mac(signed));
    }

    /**
     * Checks a header value: format, then MAC (constant time), then expiry. Whether the token and link still name a
     * chain is for the caller, which holds the token store.
     */
    public Verification verify(String header) {
        if (header == null) {
            return new Verification.Rejected(HandoffRejection.MISSING);
        }
        if (header.length() > MAX_HEADER_LENGTH) {
            return new Verification.Rejected(HandoffRejection.MALFORMED);
        }
        int macDot = header.lastIndexOf('.');
        String[] fields = header.split("\\.", -1);
        if (fields.length != 6 || !fields[0].equals(Handoff.VERSION)) {
            return new Verification.Rejected(HandoffRejection.MALFORMED);
        }
        byte[] presented;
        try {
            presented = B64_DECODER.decode(fields[5]);
        } catch (IllegalArgumentException e) {
            return new Verification.Rejected(HandoffRejection.MALFORMED);
        }
        long token = parse(fields[1], U32_MAX);
        long link = parse(fields[2], Integer.MAX_VALUE);
        long requestId = parse(fields[3], U32_MAX);
        long expires = parse(fields[4], Long.MAX_VALUE);
        if (token < 0 || link < 0 || requestId < 0 || expires < 0 || presented.length != MAC_BYTES) {
            return new Verification.Rejected(HandoffRejection.MALFORMED);
        }
        // MAC before expiry: an attacker learns nothing about timing rules from a forged header.
        if (!MessageDigest.isEqual(mac(header.substring(0, macDot)), presented)) {
            return new Verification.Rejected(HandoffRejection.BAD_MAC);
        }
        if (clock.millis() > expires) {
            return new Verification.Rejected(HandoffRejection.EXPIRED);
        }
        return new Verification.Valid(new Handoff(token, (int) link, requestId, expires));
    }

    /** A canonical non-negative decimal (digits only, no leading zeros) up to {@code max}; -1 otherwise. */
    private static long parse(String field, long max) {
        if (field.isEmpty() || field.length() > 19 || (field.length() > 1 && field.charAt(0) == '0')) {
            return -1;
        }
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        try {
            long value = Long.parseLong(field);
            return value <= max ? value : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private byte[] mac(String signed) {
        byte[] full = macs.get().doFinal(signed.getBytes(StandardCharsets.US_ASCII));
        return Arrays.copyOf(full, MAC_BYTES);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            // Every Java SE runtime ships HmacSHA256.
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The result of {@link #verify}. */
    public sealed interface Verification {
        /** The header is authentic and fresh. */
        record Valid(Handoff handoff) implements Verification {}

        /** The header must be refused, for {@code reason}. */
        record Rejected(HandoffRejection reason) implements Verification {}
    }
}
