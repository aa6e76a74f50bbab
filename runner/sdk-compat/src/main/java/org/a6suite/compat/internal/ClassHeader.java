package org.a6suite.compat.internal;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The part of a class file that says what a class is and what it extends, read without loading the class.
 *
 * <pre>
 * u4 magic (0xCAFEBABE)  u2 minor  u2 major  u2 constant_pool_count  cp_info[count - 1]
 * u2 access_flags  u2 this_class  u2 super_class  u2 interfaces_count  u2 interfaces[interfaces_count]  ...
 * </pre>
 * Only Utf8 and Class constants are kept; every other constant is skipped by its fixed size.
 *
 * @param name       internal name, e.g. {@code com/example/MyFilter}
 * @param access     the class's access flags
 * @param superName  internal name of the superclass; empty for {@code java/lang/Object} itself and module-info
 * @param interfaces internal names of the directly implemented interfaces
 */
public record ClassHeader(String name, int access, Optional<String> superName, List<String> interfaces) {

    static final int ACC_PUBLIC = 0x0001;
    static final int ACC_INTERFACE = 0x0200;
    static final int ACC_ABSTRACT = 0x0400;
    static final int ACC_MODULE = 0x8000;

    private static final int MAGIC = 0xCAFEBABE;

    public ClassHeader {
        interfaces = List.copyOf(interfaces);
    }

    /** A public class that can be instantiated: not an interface, abstract class, annotation or module-info. */
    public boolean isPublicConcreteClass() {
        return (access & ACC_PUBLIC) != 0 && (access & (ACC_INTERFACE | ACC_ABSTRACT | ACC_MODULE)) == 0;
    }

    /** The binary name for {@link Class#forName(String, boolean, ClassLoader)}, e.g. {@code com.example.A$B}. */
    public String binaryName() {
        return name.replace('/', '.');
    }

    /** Reads the header of {@code classFile}; empty if it is not a well-formed class file. */
    public static Optional<ClassHeader> read(byte[] classFile) {
        try (var in = new DataInputStream(new ByteArrayInputStream(classFile))) {
            if (in.readInt() != MAGIC) {
                return Optional.empty();
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            String[] utf8 = new String[count];
            int[] classNameIndex = new int[count];
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = in.readUTF();
                    case 7 -> classNameIndex[i] = in.readUnsignedShort();
                    case 8, 16, 19, 20 -> in.skipNBytes(2);
                    case 15 -> in.skipNBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                    case 5, 6 -> {
                        in.skipNBytes(8);
                        i++; // long and double take two constant-pool slots
                    }
                    default -> {
                        return Optional.empty();
                    }
                }
            }
            int access = in.readUnsignedShort();
            String name = className(utf8, classNameIndex, in.readUnsignedShort());
            int superIndex = in.readUnsignedShort();
            Optional<String> superName =
                    superIndex == 0 ? Optional.empty() : Optional.of(className(utf8, classNameIndex, superIndex));
            int interfaceCount = in.readUnsignedShort();
            var interfaces = new ArrayList<String>(interfaceCount);
            for (int i = 0; i < interfaceCount; i++) {
                interfaces.add(className(utf8, classNameIndex, in.readUnsignedShort()));
            }
            return Optional.of(new ClassHeader(name, access, superName, interfaces));
        } catch (IOException | RuntimeException e) {
            // Truncated or inconsistent: not a class this scanner can reason about.
            return Optional.empty();
        }
    }

    private static String className(String[] utf8, int[] classNameIndex, int classIndex) throws IOException {
        String name = classNameIndex[classIndex] == 0 ? null : utf8[classNameIndex[classIndex]];
        if (name == null) {
            throw new IOException("constant " + classIndex + " is not a class");
        }
        return name;
    }
}
