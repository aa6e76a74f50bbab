package org.a6suite.mcp.config;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;

/**
 * The AES keys that seal and open session ids. The active key seals; every key in the ring opens. Rotation: add the
 * new key, make it active, and remove the old key once the sessions it sealed have expired (one session TTL later).
 */
public final class KeyRing {

    /** Key ids travel in the clear inside session ids, so they are kept short and visible-ASCII. */
    public static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    private final Map<String, SecretKey> keys;
    private final String activeId;

    public KeyRing(Map<String, SecretKey> keys, String activeId) {
        requireNonNull(keys, "keys");
        requireNonNull(activeId, "activeId");
        if (!keys.containsKey(activeId)) {
            throw new IllegalArgumentException("active_key: " + activeId + " (expected: one of " + keys.keySet() + ")");
        }
        keys.keySet().forEach(id -> {
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("keys.id: " + id + " (expected: " + KEY_ID.pattern() + ")");
            }
        });
        this.keys = new LinkedHashMap<>(keys);
        this.activeId = activeId;
    }

    public String activeId() {
        return activeId;
    }

    public SecretKey active() {
        return keys.get(activeId);
    }

    public Optional<SecretKey> find(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    /** Key ids only: key material never reaches logs. */
    @Override
    public String toString() {
        return "KeyRing[active=" + activeId + ", ids=" + keys.keySet() + "]";
    }
}
