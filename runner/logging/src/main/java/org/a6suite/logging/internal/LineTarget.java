package org.a6suite.logging.internal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** Where the writer thread puts its chunks: the process's stderr or stdout, or a file appended to. */
public sealed interface LineTarget {

    /** PIPE_BUF on Linux: a write to a pipe of at most this many bytes is atomic. */
    int PIPE_BUF = 4096;

    /** Chunks to a file: large, so a batch costs few writes (a file has no atomicity bound worth keeping). */
    int FILE_CHUNK = 64 * 1024;

    /** Opens the stream the chunks are written to. */
    OutputStream open() throws IOException;

    /** The largest chunk written in one call. */
    int maxChunk();

    /** Whether {@link #open()}'s stream is closed when the appender stops (never the process's stderr or stdout). */
    boolean closeWhenDone();

    /**
     * File descriptor 2 or 1, written through a plain {@link FileOutputStream}: not through {@code System.err}, which is
     * an autoflush {@code PrintStream} that turns every line into a write of its own.
     */
    record Console(boolean stdout) implements LineTarget {

        @Override
        public OutputStream open() {
            return new FileOutputStream(stdout ? FileDescriptor.out : FileDescriptor.err);
        }

        @Override
        public int maxChunk() {
            return PIPE_BUF;
        }

        @Override
        public boolean closeWhenDone() {
            return false;
        }

        @Override
        public String toString() {
            return stdout ? "System.out" : "System.err";
        }
    }

    /** A file opened in append mode, its parent directories created. */
    record AppendFile(Path path) implements LineTarget {

        public AppendFile {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public OutputStream open() throws IOException {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            return new FileOutputStream(path.toFile(), true);
        }

        @Override
        public int maxChunk() {
            return FILE_CHUNK;
        }

        @Override
        public boolean closeWhenDone() {
            return true;
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }
}
