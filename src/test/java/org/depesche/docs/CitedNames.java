package org.depesche.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks the names a Markdown document cites against the code, by the
 * convention written at the top of docs/flow.md: a code span is a citation
 * when it is a Java name of Depesche's own, {@code [package.]Type[.Nested][.member|#member][(...)]}
 * with the package relative to {@code org.depesche} and each type name in
 * mixed case (so {@code REQUIRETLS}, {@code queue.workers} or
 * {@code data/mail/} are not citations), or when it is a path inside the
 * repository ({@code interop/...}, {@code src/...}, {@code docs/...},
 * {@code scripts/...}, {@code bench/...}). Types are looked up among the
 * classes of src/main/java and src/test/java (and their nested types),
 * members by reflection, inherited ones included.
 */
final class CitedNames {

    /** One code span the convention counts, where it stands in the document. */
    record Citation(int line, String text) {
    }

    /** A citation the code does not have, with the reason in words. */
    record Problem(String document, int line, String citation, String why) {
        @Override
        public String toString() {
            return document + " line " + line + ": `" + citation + "`: " + why;
        }
    }

    static final String ROOT_PACKAGE = "org.depesche";
    private static final List<String> REPOSITORY_DIRECTORIES = List.of("interop/", "src/", "docs/", "scripts/", "bench/");
    private static final String TYPE = "[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*";
    private static final Pattern NAME = Pattern.compile("(?:org\\.depesche\\.)?(?<pkg>(?:[a-z][a-z0-9]*\\.)*)"
            + "(?<types>" + TYPE + "(?:\\." + TYPE + ")*)"
            + "(?:[.#](?<member>[A-Za-z_][A-Za-z0-9_]*))?(?:\\([^()]*\\))?");
    private static final Pattern SPAN = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern FENCE = Pattern.compile("(?m)^\\s*```");

    private final Path repository;
    private final Map<String, List<Class<?>>> topLevel = new HashMap<>();
    private final Map<String, List<Class<?>>> nested = new HashMap<>();

    /** Indexes every class under {@code repository}/src/main/java and src/test/java. */
    CitedNames(Path repository) throws IOException {
        this.repository = repository;
        for (String sources : List.of("src/main/java", "src/test/java")) {
            Path root = repository.resolve(sources);
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String file = f.getFileName().toString();
                    if (file.equals("package-info.java") || file.equals("module-info.java")) continue;
                    String binary = root.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".");
                    index(load(binary.substring(0, binary.length() - ".java".length())));
                }
            }
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, CitedNames.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(name + " is in the sources but not on the test class path", e);
        }
    }

    private void index(Class<?> c) {
        topLevel.computeIfAbsent(c.getSimpleName(), k -> new ArrayList<>()).add(c);
        Deque<Class<?>> todo = new ArrayDeque<>(List.of(c.getDeclaredClasses()));
        while (!todo.isEmpty()) {
            Class<?> n = todo.pop();
            if (n.isAnonymousClass() || n.isLocalClass()) continue;
            nested.computeIfAbsent(n.getSimpleName(), k -> new ArrayList<>()).add(n);
            todo.addAll(List.of(n.getDeclaredClasses()));
        }
    }

    /** The code spans of {@code markdown} that the convention counts as citations; fenced blocks are left out. */
    static List<Citation> citations(String markdown) {
        List<Citation> out = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        boolean fenced = false;
        for (int i = 0; i < lines.length; i++) {
            if (FENCE.matcher(lines[i]).lookingAt()) {
                fenced = !fenced;
                continue;
            }
            if (fenced) continue;
            Matcher m = SPAN.matcher(lines[i]);
            while (m.find()) {
                String span = m.group(1).trim();
                if (NAME.matcher(span).matches() || isRepositoryPath(span)) out.add(new Citation(i + 1, span));
            }
        }
        return out;
    }

    private static boolean isRepositoryPath(String span) {
        return !span.contains(" ") && REPOSITORY_DIRECTORIES.stream().anyMatch(span::startsWith);
    }

    /**
     * Fails, naming each line, when the repository document at {@code path}
     * (relative to the working directory, the repository root under Maven)
     * cites something the code does not have, or cites fewer than
     * {@code atLeast} names, which would mean the convention was not followed.
     */
    static void assertEveryCitationExists(String path, int atLeast) throws IOException {
        String markdown = Files.readString(Path.of(path));
        assertThat(citations(markdown)).as("citations found in " + path).hasSizeGreaterThanOrEqualTo(atLeast);
        assertThat(new CitedNames(Path.of("")).check(path, markdown))
                .as("names in " + path + " that the code does not have (fix the document, or the name it cites)")
                .isEmpty();
    }

    /** Every citation in {@code markdown} that names no class, member or file Depesche has. */
    List<Problem> check(String document, String markdown) {
        List<Problem> problems = new ArrayList<>();
        for (Citation c : citations(markdown)) {
            problem(c.text()).ifPresent(why -> problems.add(new Problem(document, c.line(), c.text(), why)));
        }
        return problems;
    }

    /** Why {@code citation} names nothing, or empty when it names a class, member or file that exists. */
    Optional<String> problem(String citation) {
        if (isRepositoryPath(citation)) {
            return Files.exists(repository.resolve(citation)) ? Optional.empty()
                    : Optional.of("no such file or directory in the repository");
        }
        Matcher m = NAME.matcher(citation);
        if (!m.matches()) return Optional.of("not a name by the convention of docs/flow.md");
        String[] types = m.group("types").split("\\.");
        String pkg = m.group("pkg");
        Class<?> c;
        try {
            c = outermost(types[0], pkg.isEmpty() ? null : ROOT_PACKAGE + "." + pkg.substring(0, pkg.length() - 1),
                    citation.startsWith(ROOT_PACKAGE + "."));
        } catch (NoSuchName e) {
            return Optional.of(e.getMessage());
        }
        for (int i = 1; i < types.length; i++) {
            Optional<Class<?>> inner = nestedType(c, types[i]);
            if (inner.isEmpty()) return Optional.of(c.getName() + " has no nested type " + types[i]);
            c = inner.get();
        }
        String member = m.group("member");
        if (member == null || hasMember(c, member)) return Optional.empty();
        return Optional.of(c.getName() + " has no method, field or nested type " + member);
    }

    private static final class NoSuchName extends Exception {
        NoSuchName(String message) {
            super(message);
        }
    }

    private Class<?> outermost(String simple, String pkg, boolean qualifiedFromRoot) throws NoSuchName {
        if (pkg != null || qualifiedFromRoot) {
            String name = (pkg == null ? ROOT_PACKAGE : pkg) + "." + simple;
            return topLevel.getOrDefault(simple, List.of()).stream().filter(c -> c.getName().equals(name)).findFirst()
                    .orElseThrow(() -> new NoSuchName("no class " + name + " in src/main/java or src/test/java"));
        }
        List<Class<?>> found = topLevel.getOrDefault(simple, List.of());
        if (found.isEmpty()) found = nested.getOrDefault(simple, List.of());
        if (found.isEmpty()) throw new NoSuchName("no class or nested type " + simple + " in src/main/java or src/test/java");
        if (found.size() > 1) {
            Set<String> names = new TreeSet<>();
            found.forEach(c -> names.add(c.getName().replace('$', '.')));
            throw new NoSuchName(simple + " is ambiguous (" + String.join(", ", names) + "); name its package or outer type");
        }
        return found.get(0);
    }

    private static Optional<Class<?>> nestedType(Class<?> c, String simple) {
        for (Class<?> t : supertypes(c)) {
            for (Class<?> n : t.getDeclaredClasses()) if (n.getSimpleName().equals(simple)) return Optional.of(n);
        }
        return Optional.empty();
    }

    private static boolean hasMember(Class<?> c, String name) {
        if (nestedType(c, name).isPresent()) return true;
        for (Class<?> t : supertypes(c)) {
            for (Method m : t.getDeclaredMethods()) if (m.getName().equals(name)) return true;
            for (Field f : t.getDeclaredFields()) if (f.getName().equals(name)) return true;
            if (t.isRecord()) for (RecordComponent r : t.getRecordComponents()) if (r.getName().equals(name)) return true;
        }
        return false;
    }

    /** {@code c}, its superclasses and every interface any of them implements. */
    private static List<Class<?>> supertypes(Class<?> c) {
        List<Class<?>> out = new ArrayList<>();
        Set<Class<?>> seen = new HashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>(List.of(c));
        while (!todo.isEmpty()) {
            Class<?> t = todo.pop();
            if (t == null || !seen.add(t)) continue;
            out.add(t);
            todo.add(t.getSuperclass() == null ? Object.class : t.getSuperclass());
            todo.addAll(List.of(t.getInterfaces()));
        }
        return out;
    }
}
