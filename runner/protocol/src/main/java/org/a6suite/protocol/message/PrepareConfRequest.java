package org.a6suite.protocol.message;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * PrepareConf.Req: a route's {@code conf} list in order (empty when APISIX sent none) and the deprecated key
 * {@code conf_type#conf_id#plugin#conf_version}.
 */
public record PrepareConfRequest(List<TextEntry> conf, Optional<String> key) implements FromApisix {
    public PrepareConfRequest {
        conf = List.copyOf(conf);
        requireNonNull(key, "key");
    }

    @Override
    public FrameType frameType() {
        return FrameType.PREPARE_CONF;
    }
}
