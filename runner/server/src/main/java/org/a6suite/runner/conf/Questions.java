package org.a6suite.runner.conf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.a6suite.plugin.Requirements;
import org.a6suite.protocol.codec.A6MessageCodec;
import org.a6suite.protocol.message.ExtraInfoRequest;

/**
 * What a chain asks APISIX in one phase, and those ExtraInfo frames already encoded: every call of the chain writes
 * the same bytes, so they are built once at PrepareConf instead of on each call.
 *
 * <p>The frames are kept in one direct buffer that each call writes a retained duplicate of: a heap buffer would be
 * copied into a new direct buffer by the native transport on every write. The buffer is a JDK direct buffer (freed
 * by its cleaner with this object), so nothing here needs releasing; the duplicates are released by the write.
 */
public final class Questions {

    public static final Questions NONE = new Questions(List.of(), new byte[0]);

    private final List<ExtraInfoRequest.Info> asked;
    private final byte[] frames;
    private final ByteBuf wire;

    /**
     * @param asked  the questions in the order they are sent (APISIX answers in that order)
     * @param frames the frames back to back ({@code [type][len:3][payload]} each), empty when nothing is asked
     */
    public Questions(List<ExtraInfoRequest.Info> asked, byte[] frames) {
        this.asked = List.copyOf(asked);
        this.frames = frames.clone();
        ByteBuffer direct = ByteBuffer.allocateDirect(frames.length).put(frames).flip();
        this.wire = Unpooled.wrappedBuffer(direct);
    }

    /** The questions in the order they are sent (APISIX answers in that order). */
    public List<ExtraInfoRequest.Info> asked() {
        return asked;
    }

    /** The frames back to back ({@code [type][len:3][payload]} each), empty when nothing is asked; a copy. */
    public byte[] frames() {
        return frames.clone();
    }

    /** The frames for one write: a retained duplicate of the shared direct buffer, which the write releases. */
    public ByteBuf frameBuffer() {
        return wire.retainedDuplicate();
    }

    public boolean isEmpty() {
        return asked.isEmpty();
    }

    /** The vars (and the bodies the phase can give) that {@code needs} names. */
    static Questions of(Requirements needs, boolean responsePhase) {
        List<ExtraInfoRequest.Info> infos = new ArrayList<>(needs.vars().size() + 2);
        for (String name : needs.vars()) {
            infos.add(new ExtraInfoRequest.Var(name));
        }
        if (needs.requestBody()) {
            infos.add(ExtraInfoRequest.ReqBody.INSTANCE);
        }
        if (responsePhase && needs.responseBody()) {
            infos.add(ExtraInfoRequest.RespBody.INSTANCE);
        }
        if (infos.isEmpty()) {
            return NONE;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(32 * infos.size());
        for (ExtraInfoRequest.Info info : infos) {
            byte[] payload = A6MessageCodec.encode(new ExtraInfoRequest(info));
            out.write(org.a6suite.protocol.message.FrameType.EXTRA_INFO.code());
            out.write(payload.length >>> 16);
            out.write(payload.length >>> 8);
            out.write(payload.length);
            out.writeBytes(payload);
        }
        return new Questions(infos, out.toByteArray());
    }
}
