package org.a6suite.runner.transport;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.Set;
import org.a6suite.runner.RunnerStartException;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.runner.config.SocketOwner;

/**
 * Checks and prepares the socket path before binding, and sets its permissions after. Every failure is a
 * {@link RunnerStartException} whose message names the path and what is wrong with it.
 */
public final class SocketFile {

    /** {@code S_IFMT} and {@code S_IFSOCK} from {@code <sys/stat.h>}. */
    private static final int S_IFMT = 0170000;

    private static final int S_IFSOCK = 0140000;

    private SocketFile() {}

    /**
     * Makes {@code path} bindable: its parent must be an existing, writable directory; an existing socket file that
     * nobody listens on (left by a killed runner) is removed; anything else at the path is an error, never deleted.
     */
    public static void prepare(Path path) {
        Path parent = path.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new RunnerStartException("socket directory " + parent + " does not exist (expected: an existing"
                    + " directory for " + path + ")");
        }
        if (!Files.isWritable(parent)) {
            throw new RunnerStartException("socket directory " + parent + " is not writable by this user"
                    + " (expected: write permission to create " + path + ")");
        }
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(path)) {
            throw new RunnerStartException("socket path " + path + " exists and is not a socket (expected: no file,"
                    + " or a stale socket; refusing to delete a " + describe(path) + ")");
        }
        if (someoneListens(path)) {
            throw new RunnerStartException("socket path " + path + " is in use by another process (expected: a"
                    + " stale socket; is another runner running?)");
        }
        try {
            Files.delete(path);
        } catch (IOException e) {
            throw new RunnerStartException("stale socket " + path + " could not be removed: " + e);
        }
    }

    /** Sets the socket file's permissions (the group must be able to write to connect). */
    public static void setPermissions(Path path, Set<PosixFilePermission> permissions) {
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (IOException | UnsupportedOperationException e) {
            throw new RunnerStartException("socket " + path + ": permissions could not be set: " + e);
        }
    }

    /**
     * Gives the socket file to {@code owner} (and its group, if named), without following links.
     *
     * @throws RunnerStartException naming the socket, the owner and the cause (unknown user, not permitted)
     */
    public static void setOwner(Path path, SocketOwner owner) {
        try {
            UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
            PosixFileAttributeView view =
                    Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            view.setOwner(lookup.lookupPrincipalByName(owner.user()));
            if (owner.group().isPresent()) {
                view.setGroup(lookup.lookupPrincipalByGroupName(owner.group().get()));
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new RunnerStartException(
                    "socket " + path + ": owner " + owner + " could not be set: " + e
                            + " (expected: an existing user, and a runner running as root to give the socket away; see "
                            + RunnerConfig.SOCKET_OWNER + ")",
                    e);
        }
    }

    /** Whether this process's effective user id is 0 ({@code Uid:} in {@code /proc/self/status}; Linux only). */
    public static boolean runningAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).strip().split("\\s+");
                    return ids.length > 1 && ids[1].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or /proc not mounted: the runner cannot tell, so it does not give the socket away.
        }
        return false;
    }

    /** Removes the socket file at shutdown; a missing file is fine. */
    public static void remove(Path path) {
        try {
            if (isSocket(path)) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // Best effort: the next start removes a stale socket anyway.
        }
    }

    static boolean isSocket(Path path) {
        try {
            Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return mode instanceof Integer m && (m & S_IFMT) == S_IFSOCK;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static String describe(Path path) {
        if (Files.isSymbolicLink(path)) {
            return "symbolic link";
        }
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            return "directory";
        }
        if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return "regular file";
        }
        return "special file";
    }

    private static boolean someoneListens(Path path) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
