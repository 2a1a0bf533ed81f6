package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The main sources' packages depend on each other one way: the metrics and JMX beans over the API, the API over the
 * admin API, those over the engines ({@code internal.sqlite}, {@code internal.engine}), the table's SQL below them,
 * and the shared basics of {@code internal} and the attributes at the bottom. A cycle makes two packages one unit in
 * practice, so that neither can change, be read or be tested without the other; this test fails naming the cycle,
 * and the file behind each of its steps, when one comes back.
 *
 * <p>It reads the sources rather than the classes: a type is used where its qualified name appears outside
 * comments and strings (the imports, static ones included), or, within one package, where its simple name does.
 *
 * <p>A few public types of the API package must stay where users import them from and are used by the internal
 * packages too: the exception every layer throws and the SQLite setting enums the engine reads. They use nothing of
 * this project themselves, so each counts as a package of its own here, and the test checks they stay that way.
 * {@code jdeps}, which sees whole packages, still shows the API package and the internal ones using each other,
 * through these types only.
 */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final String PROJECT = "io.github.jettysqlite";
    private static final String API = "io.github.jettysqlite.sessions";

    /** Public types of the API package the layers below it may use, because they use nothing of the project. */
    private static final Set<String> API_LEAVES =
            Set.of(API + ".SessionDatabaseException", API + ".Synchronous", API + ".Checkpoints");

    private static final Pattern PACKAGE = Pattern.compile("\\bpackage\\s+([\\w.]+)\\s*;");
    /** A qualified name up to its first capitalised part, the top-level type: nested types count as theirs. */
    private static final Pattern QUALIFIED =
            Pattern.compile("\\b" + Pattern.quote(PROJECT) + "(?:\\.[a-z_]\\w*)*\\.([A-Z]\\w*)");

    private static final Pattern WILDCARD =
            Pattern.compile("\\bimport\\s+(" + Pattern.quote(PROJECT) + "(?:\\.[a-z_]\\w*)*)\\s*\\.\\s*\\*\\s*;");

    @Test
    void packagesDependOnEachOtherOneWay() throws IOException {
        Map<String, Map<String, String>> graph = graph(scan());

        // Every unit of a tangle gets its shortest way round, so a failure shows each step that needs undoing.
        Set<String> cycles = new TreeSet<>();
        for (Set<String> component : stronglyConnected(graph)) {
            if (component.size() > 1) {
                for (String unit : component) {
                    cycles.add(describe(cycleThrough(unit, component, graph), graph));
                }
            }
        }
        assertThat(cycles).as("package cycles in %s", SOURCES).isEmpty();
    }

    @Test
    void internalPackagesUseOnlyTheApiLeaves() throws IOException {
        List<String> uses = new ArrayList<>();
        for (Source source : scan()) {
            if (source.packageName().startsWith(API + ".internal")) {
                for (String used : source.uses()) {
                    if (packageOf(used).equals(API) && !API_LEAVES.contains(used)) {
                        uses.add(SOURCES.relativize(source.file()) + " uses " + used);
                    }
                }
            }
        }
        assertThat(uses).as("the internal packages sit below the API").isEmpty();
    }

    @Test
    void theApiLeavesUseNothingOfTheProject() throws IOException {
        List<Source> sources = scan();
        Set<String> found = new TreeSet<>();
        List<String> uses = new ArrayList<>();
        for (Source source : sources) {
            if (API_LEAVES.contains(source.type())) {
                found.add(source.type());
                source.uses().stream()
                        .filter(used -> !used.equals(source.type()))
                        .forEach(used -> uses.add(source.type() + " uses " + used));
            }
        }
        assertThat(found).as("the leaves exist").containsExactlyInAnyOrderElementsOf(API_LEAVES);
        assertThat(uses).isEmpty();
    }

    /** One main source file: its package, the top-level type its name declares, and the project types it uses. */
    private record Source(Path file, String packageName, String type, Set<String> uses) {}

    private static List<Source> scan() throws IOException {
        assertThat(SOURCES).as("run from the module's directory").isDirectory();
        Map<Path, String> code = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            // The module descriptor names packages, not uses of them, and has no package of its own.
            for (Path file : files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.endsWith("module-info.java"))
                    .toList()) {
                code.put(file, withoutCommentsAndLiterals(Files.readString(file)));
            }
        }
        assertThat(code).as("main sources found").hasSizeGreaterThan(50);

        Map<Path, String> packages = new HashMap<>();
        Map<String, Set<String>> typesByPackage = new HashMap<>();
        for (Map.Entry<Path, String> entry : code.entrySet()) {
            Matcher m = PACKAGE.matcher(entry.getValue());
            assertThat(m.find()).as("package of %s", entry.getKey()).isTrue();
            packages.put(entry.getKey(), m.group(1));
            typesByPackage.computeIfAbsent(m.group(1), p -> new TreeSet<>()).add(simpleName(entry.getKey()));
        }

        List<Source> sources = new ArrayList<>();
        for (Map.Entry<Path, String> entry : code.entrySet()) {
            String text = entry.getValue();
            String packageName = packages.get(entry.getKey());
            String type = packageName + "." + simpleName(entry.getKey());
            Set<String> uses = new TreeSet<>();
            Matcher qualified = QUALIFIED.matcher(text);
            while (qualified.find()) {
                uses.add(qualified.group());
            }
            Matcher wildcard = WILDCARD.matcher(text);
            while (wildcard.find()) {
                // A whole package imported: used as a package, by a name no single type has.
                uses.add(wildcard.group(1) + ".*");
            }
            for (String sibling : typesByPackage.get(packageName)) {
                if (Pattern.compile("\\b" + sibling + "\\b").matcher(text).find()) {
                    uses.add(packageName + "." + sibling);
                }
            }
            uses.remove(type);
            sources.add(new Source(entry.getKey(), packageName, type, uses));
        }
        return sources;
    }

    /**
     * The graph of the units this test keeps apart, packages and the API's leaves: for each unit, the units it uses,
     * each with one file that uses it, to name in a failure.
     */
    private static Map<String, Map<String, String>> graph(List<Source> sources) {
        Map<String, Map<String, String>> graph = new TreeMap<>();
        for (Source source : sources) {
            String from = unitOf(source.type());
            Map<String, String> edges = graph.computeIfAbsent(from, u -> new TreeMap<>());
            for (String used : source.uses()) {
                String to = unitOf(used);
                if (!to.equals(from)) {
                    edges.putIfAbsent(to, SOURCES.relativize(source.file()) + " uses " + used);
                }
            }
        }
        return graph;
    }

    private static String unitOf(String type) {
        return API_LEAVES.contains(type) ? type : packageOf(type);
    }

    private static String packageOf(String type) {
        return type.substring(0, type.lastIndexOf('.'));
    }

    private static String simpleName(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - ".java".length());
    }

    /** Tarjan's strongly connected components: every cycle lies within one component of two or more units. */
    private static List<Set<String>> stronglyConnected(Map<String, Map<String, String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> components = new ArrayList<>();
        for (String unit : graph.keySet()) {
            if (!index.containsKey(unit)) {
                connect(unit, graph, index, low, stack, onStack, components);
            }
        }
        return components;
    }

    private static void connect(
            String unit,
            Map<String, Map<String, String>> graph,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            Set<String> onStack,
            List<Set<String>> components) {
        index.put(unit, index.size());
        low.put(unit, index.get(unit));
        stack.push(unit);
        onStack.add(unit);
        for (String next : graph.getOrDefault(unit, Map.of()).keySet()) {
            if (!index.containsKey(next)) {
                connect(next, graph, index, low, stack, onStack, components);
                low.put(unit, Math.min(low.get(unit), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(unit, Math.min(low.get(unit), index.get(next)));
            }
        }
        if (low.get(unit).equals(index.get(unit))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            } while (!member.equals(unit));
            components.add(component);
        }
    }

    /**
     * A shortest way round from the unit back to itself, within its component, told from its least unit so that the
     * same cycle found from each of its units reads the same.
     */
    private static List<String> cycleThrough(
            String start, Set<String> component, Map<String, Map<String, String>> graph) {
        Map<String, String> cameFrom = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String unit = queue.poll();
            for (String next : graph.getOrDefault(unit, Map.of()).keySet()) {
                if (next.equals(start)) {
                    List<String> cycle = new ArrayList<>(List.of(start));
                    for (String u = unit; !u.equals(start); u = cameFrom.get(u)) {
                        cycle.add(1, u);
                    }
                    String least = new TreeSet<>(cycle).first();
                    List<String> told = new ArrayList<>();
                    for (int i = 0; i <= cycle.size(); i++) {
                        told.add(cycle.get((cycle.indexOf(least) + i) % cycle.size()));
                    }
                    return told;
                }
                if (component.contains(next) && !cameFrom.containsKey(next)) {
                    cameFrom.put(next, unit);
                    queue.add(next);
                }
            }
        }
        throw new IllegalStateException("no cycle through " + start + " within " + component);
    }

    private static String describe(List<String> cycle, Map<String, Map<String, String>> graph) {
        StringBuilder text = new StringBuilder(cycle.get(0));
        for (int i = 1; i < cycle.size(); i++) {
            String because = graph.get(cycle.get(i - 1)).get(cycle.get(i));
            text.append("\n  -> ")
                    .append(cycle.get(i))
                    .append("   (")
                    .append(because)
                    .append(')');
        }
        return text.toString();
    }

    /**
     * The code with comments, string and character literals and text blocks blanked out, so that a name in a
     * comment, a Javadoc link or a message is not taken for a use. Blanked with spaces, and newlines kept, so the
     * text keeps its shape.
     */
    private static String withoutCommentsAndLiterals(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = blank(source, i, end < 0 ? n : end, out);
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = blank(source, i, end < 0 ? n : end + 2, out);
            } else if (source.startsWith("\"\"\"", i)) {
                int end = closing(source, i + 3, "\"\"\"");
                i = blank(source, i, end, out);
            } else if (c == '"' || c == '\'') {
                int end = closing(source, i + 1, String.valueOf(c));
                i = blank(source, i, end, out);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** Where a literal opened before {@code from} ends, past its closing quote, skipping escaped characters. */
    private static int closing(String source, int from, String quote) {
        int i = from;
        while (i < source.length()) {
            if (source.charAt(i) == '\\') {
                i += 2;
            } else if (source.startsWith(quote, i)) {
                return i + quote.length();
            } else {
                i++;
            }
        }
        return source.length();
    }

    private static int blank(String source, int from, int to, StringBuilder out) {
        for (int i = from; i < to; i++) {
            out.append(source.charAt(i) == '\n' ? '\n' : ' ');
        }
        return to;
    }
}
