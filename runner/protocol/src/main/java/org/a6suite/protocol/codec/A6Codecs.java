package org.a6suite.protocol.codec;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelPipeline;

/** Installs the A6 codec handlers in a pipeline. */
public final class A6Codecs {
    public static final String FRAME_DECODER = "a6-frame-decoder";
    public static final String MESSAGE_DECODER = "a6-message-decoder";
    public static final String MESSAGE_ENCODER = "a6-message-encoder";

    private static final A6MessageEncoder ENCODER = new A6MessageEncoder();

    private A6Codecs() {}

    /**
     * Appends {@value #FRAME_DECODER}, {@value #MESSAGE_DECODER} and {@value #MESSAGE_ENCODER} to the end of
     * {@code pipeline}. Handlers added after them receive {@link DecodeResult}s and write {@code A6Message}s.
     */
    public static void install(ChannelPipeline pipeline, Side side) {
        requireNonNull(pipeline, "pipeline");
        requireNonNull(side, "side");
        pipeline.addLast(FRAME_DECODER, new A6FrameDecoder());
        pipeline.addLast(MESSAGE_DECODER, new A6MessageDecoder(side));
        pipeline.addLast(MESSAGE_ENCODER, ENCODER);
    }
}
