package org.a6suite.compat.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the public concrete classes in a jar that implement {@link PluginFilter}, directly or through supertypes.
 *
 * <p>Official filters are usually Spring {@code @Component}s with no {@code META-INF/services} entry, so the only
 * way to find them without Spring is to look at the classes. The scanner reads class-file headers (name, access,
 * superclass, interfaces) and resolves the type hierarchy inside the jar first, so it loads only the classes that
 * really are filters: loading every class of a jar would run into classes whose dependencies are missing. A
 * supertype that lives outside the jar (a shared base filter in another jar) is loaded, uninitialised, to ask.
 */
public final class FilterJarScanner {

    private static final Logger log = LoggerFactory.getLogger(FilterJarScanner.class);
    private static final String PLUGIN_FILTER = PluginFilter.class.getName().replace('.', '/');

    private final ClassLoader loader;
    /** Verdicts for supertypes outside the scanned jar, shared across jars. */
    private final Map<String, Boolean> externalVerdicts = new HashMap<>();

    public FilterJarScanner(ClassLoader loader) {
        this.loader = requireNonNull(loader, "loader");
    }

    /**
     * The binary names of the public concrete classes in {@code jar} that implement {@link PluginFilter}, in jar
     * order. Entries under {@code META-INF/} (multi-release variants, module-info) are ignored.
     *
     * @throws IOException if the jar cannot be read
     */
    public List<String> filterClassNames(Path jar) throws IOException {
        var headers = new LinkedHashMap<String, ClassHeader>();
        try (var file = new JarFile(jar.toFile())) {
            var entries = file.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                String entryName = entry.getName();
                if (entry.isDirectory()
                        || !entryName.endsWith(".class")
                        || entryName.startsWith("META-INF/")
                        || entryName.endsWith("module-info.class")) {
                    continue;
                }
                byte[] bytes;
                try (var in = file.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                Optional<ClassHeader> header = ClassHeader.read(bytes);
                if (header.isEmpty()) {
                    log.debug("{}: {} is not a readable class file; skipped", jar, entryName);
                    continue;
                }
                headers.put(header.get().name(), header.get());
            }
        }
        var verdicts = new HashMap<String, Boolean>();
        var result = new ArrayList<String>();
        for (ClassHeader header : headers.values()) {
            if (header.isPublicConcreteClass() && isFilter(header.name(), headers, verdicts, 0)) {
                result.add(header.binaryName());
            }
        }
        return result;
    }

    private boolean isFilter(String type, Map<String, ClassHeader> inJar, Map<String, Boolean> verdicts, int depth) {
        if (type.equals(PLUGIN_FILTER)) {
            return true;
        }
        if (type.startsWith("java/") || depth > 64) {
            return false;
        }
        Boolean known = verdicts.get(type);
        if (known != null) {
            return known;
        }
        verdicts.put(type, false); // guards against cycles in a malformed jar
        ClassHeader header = inJar.get(type);
        boolean verdict;
        if (header == null) {
            verdict = externalIsFilter(type);
        } else {
            verdict = header.superName()
                            .map(s -> isFilter(s, inJar, verdicts, depth + 1))
                            .orElse(false)
                    || header.interfaces().stream().anyMatch(i -> isFilter(i, inJar, verdicts, depth + 1));
        }
        verdicts.put(type, verdict);
        return verdict;
    }

    private boolean externalIsFilter(String type) {
        return externalVerdicts.computeIfAbsent(type, t -> {
            try {
                return PluginFilter.class.isAssignableFrom(Class.forName(t.replace('/', '.'), false, loader));
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        });
    }
}
