package org.a6suite.runner.conf;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import org.a6suite.plugin.Requirements;
import org.a6suite.protocol.message.TextEntry;

/**
 * Shares prepared chain templates between tokens with identical {@code conf}, and per-phase needs between chains
 * with equal needs, so that N tokens for one configuration hold one set of parsed configurations.
 *
 * <p>Both maps hold their values weakly: an entry lives exactly as long as some token's chain uses it, so the maps
 * are bounded by the token store's own bound and never keep a configuration APISIX no longer uses. The {@code conf}
 * key is a 128-bit SHA-256 prefix of the plugin names and values (not the text itself, which would cost a copy of
 * every configuration); an accidental collision needs about 2^64 distinct configurations.
 *
 * <p>Sharing is sound because a chain template is immutable and plugin configurations are immutable values parsed
 * from the text alone ({@code Plugin.parseConfig} gets nothing but the value); the route key, which differs per
 * token, stays in {@link PreparedChain}.
 */
final class ChainTemplates {

    /** Identifies a {@code conf} list by content. */
    private record ConfKey(long high, long low) {}

    private final Cache<ConfKey, PreparedChain.Template> templates =
            Caffeine.newBuilder().weakValues().executor(Runnable::run).build();
    private final Cache<Requirements, PreparedChain.Needs> needs =
            Caffeine.newBuilder().weakValues().executor(Runnable::run).build();

    /** The shared template for {@code conf}, if a live token uses one. */
    Optional<PreparedChain.Template> find(List<TextEntry> conf) {
        return Optional.ofNullable(templates.getIfPresent(key(conf)));
    }

    /** Builds the template for freshly prepared {@code links} and shares it; a racing equal one wins. */
    PreparedChain.Template share(List<TextEntry> conf, List<ChainLink<?>> links) {
        Requirements all = PreparedChain.Needs.union(links);
        PreparedChain.Needs shared = needs.asMap().computeIfAbsent(all, PreparedChain.Needs::of);
        PreparedChain.Template template = PreparedChain.Template.of(links, shared);
        PreparedChain.Template raced = templates.asMap().putIfAbsent(key(conf), template);
        return raced == null ? template : raced;
    }

    /** Templates alive right now (for tests). */
    long size() {
        templates.cleanUp();
        return templates.estimatedSize();
    }

    private static ConfKey key(List<TextEntry> conf) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
        for (TextEntry entry : conf) {
            update(digest, entry.name());
            // An absent value and an empty one both parse as "" (ChainPreparer), so they may share.
            update(digest, entry.value().orElse(""));
        }
        byte[] hash = digest.digest();
        return new ConfKey(toLong(hash, 0), toLong(hash, 8));
    }

    /** Length-prefixed, so ("ab","c") and ("a","bc") differ. */
    private static void update(MessageDigest digest, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int n = bytes.length;
        digest.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        digest.update(bytes);
    }

    private static long toLong(byte[] b, int offset) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[offset + i] & 0xFF);
        }
        return v;
    }
}
