package io.github.jettysqlite.sessions.internal.attributes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.jettysqlite.sessions.support.WebappClasses;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which failures of a real object stream leave an attribute out (a class this node lacks or holds in another version)
 * and which keep the row unreadable (the filter's rejection, a stream that lies about a class). Each failure is the
 * one the JDK, or this library's own reading of common values, throws for such bytes.
 */
class UnloadableClassTest {
    @TempDir
    Path dir;

    @Test
    void aClassThisNodeLacksIsUnloadable() throws Exception {
        byte[] stream;
        try (URLClassLoader webapp = WebappClasses.loaderOver(WebappClasses.compileCart(dir.resolve("v2"), 2L))) {
            stream = WebappClasses.inContext(webapp, () -> serialized(WebappClasses.cart("pen")));
        }

        assertThat(UnloadableClass.classOf(failureReading(stream, getClass().getClassLoader(), null)))
                .isEqualTo("shop.Cart");
    }

    @Test
    void anIncompatibleVersionOfTheClassIsUnloadable() throws Exception {
        byte[] stream;
        try (URLClassLoader newer = WebappClasses.loaderOver(WebappClasses.compileCart(dir.resolve("v2"), 2L))) {
            stream = WebappClasses.inContext(newer, () -> serialized(WebappClasses.cart("pen")));
        }
        try (URLClassLoader older = WebappClasses.loaderOver(WebappClasses.compileCart(dir.resolve("v1"), 1L))) {
            assertThat(UnloadableClass.classOf(failureReading(stream, older, null)))
                    .isEqualTo("shop.Cart");
        }
    }

    @Test
    void anEnumConstantTheLocalEnumLacksIsUnloadable() throws Exception {
        byte[] stream;
        try (URLClassLoader newer = loaderOver(compile("v2", "Size", "public enum Size { SMALL, LARGE }"))) {
            Class<?> size = newer.loadClass("shop.Size");
            stream = serialized(size.getEnumConstants()[1]);
        }
        try (URLClassLoader older = loaderOver(compile("v1", "Size", "public enum Size { SMALL }"))) {
            assertThat(UnloadableClass.classOf(failureReading(stream, older, null)))
                    .isEqualTo("shop.Size");
        }
    }

    @Test
    void aFieldWhoseTypeTheLocalClassChangedIsUnloadable() throws Exception {
        byte[] stream;
        try (URLClassLoader newer = loaderOver(compile(
                "v2",
                "Item",
                "public class Item implements"
                        + " java.io.Serializable { private static final long serialVersionUID = 1L;"
                        + " public Integer size = 42; }"))) {
            stream = serialized(newer.loadClass("shop.Item").getConstructor().newInstance());
        }
        try (URLClassLoader older = loaderOver(
                compile(
                        "v1",
                        "Item",
                        "public class Item implements"
                                + " java.io.Serializable { private static final long serialVersionUID = 1L; public String size; }"))) {
            Throwable changed = failureReading(stream, older, null);

            assertThat(changed).isInstanceOf(ClassCastException.class);
            assertThat(UnloadableClass.classOf(changed)).isEqualTo("shop.Item");
        }
    }

    @Test
    void aClassWhoseStaticInitializerFailsHereIsUnloadableFromItsFirstUseOn() throws Exception {
        byte[] stream;
        try (URLClassLoader working = loaderOver(compile(
                "v2",
                "Rate",
                "public class Rate implements"
                        + " java.io.Serializable { private static final long serialVersionUID = 1L; }"))) {
            stream = serialized(working.loadClass("shop.Rate").getConstructor().newInstance());
        }
        try (URLClassLoader failing = loaderOver(compile(
                "v1",
                "Rate",
                "public class Rate implements"
                        + " java.io.Serializable { private static final long serialVersionUID = 1L;"
                        + " static final int DEFAULT = Integer.parseInt(\"not configured\"); }"))) {
            Throwable first = failureReading(stream, failing, null);
            Throwable later = failureReading(stream, failing, null);

            assertThat(first).isInstanceOf(ExceptionInInitializerError.class);
            assertThat(UnloadableClass.classOf(first)).contains("static initializer failed");
            assertThat(later).isInstanceOf(NoClassDefFoundError.class);
            assertThat(UnloadableClass.classOf(later)).contains("shop.Rate");
        }
    }

    @Test
    void theFiltersRejectionIsNot() throws Exception {
        ObjectInputFilter noLists = info -> info.serialClass() == ArrayList.class
                ? ObjectInputFilter.Status.REJECTED
                : ObjectInputFilter.Status.UNDECIDED;

        Throwable rejected = failureReading(serialized(new ArrayList<>(List.of("a"))), null, noLists);

        assertThat(rejected).hasMessageContaining("REJECTED");
        assertThat(UnloadableClass.classOf(rejected)).isNull();
    }

    @Test
    void theFiltersRejectionOfACommonValueIsNot() throws Exception {
        ObjectInputFilter shortArrays = info ->
                info.arrayLength() > 10 ? ObjectInputFilter.Status.REJECTED : ObjectInputFilter.Status.UNDECIDED;
        AttributeSerializer serializer = new AttributeSerializer(shortArrays, true);

        Throwable rejected = catchThrowable(() -> serializer.deserialize(serializer.serialize(new byte[11])));

        assertThat(rejected).as("refused by the common values' own check").hasMessageStartingWith("[B");
        assertThat(((InvalidClassException) rejected).classname)
                .as("as the JDK reports a rejection")
                .isNull();
        assertThat(UnloadableClass.classOf(rejected)).isNull();
    }

    @Test
    void aStreamThatDescribesAClassImpossiblyIsNot() throws Exception {
        byte[] stream = serialized(new ArrayList<>(List.of("a")));
        // The flags byte after the class name and serialVersionUID: Serializable and Externalizable at once, which no
        // class is. The JDK names the class the stream claims, whatever it is.
        byte[] name = ArrayList.class.getName().getBytes(StandardCharsets.UTF_8);
        int at = indexOf(stream, name) + name.length + 8;
        assertThat(stream[at] & ObjectStreamClassFlags.SERIALIZABLE).isNotZero();
        stream[at] |= ObjectStreamClassFlags.EXTERNALIZABLE;

        Throwable forged = failureReading(stream, null, null);

        assertThat(forged).hasMessageContaining("java.util.ArrayList");
        assertThat(UnloadableClass.classOf(forged)).isNull();
    }

    @Test
    void whatIsLoggedStaysOneShortLine() {
        assertThat(UnloadableClass.printable("shop.Cart\r\nFORGED")).isEqualTo("shop.Cart??FORGED");
        assertThat(UnloadableClass.printable("x".repeat(10_000))).hasSize(UnloadableClass.MOST_NAME_CHARS + 3);
    }

    /** The flags of a class description in a stream (java.io.ObjectStreamConstants). */
    private static final class ObjectStreamClassFlags {
        static final byte SERIALIZABLE = 0x02;
        static final byte EXTERNALIZABLE = 0x04;
    }

    /** Compiles one class of package {@code shop} from its declaration into a directory of this version's. */
    private Path compile(String version, String name, String declaration) throws Exception {
        Path classes = Files.createDirectories(dir.resolve(version + "/classes"));
        Path source =
                Files.createDirectories(dir.resolve(version + "/src/shop")).resolve(name + ".java");
        Files.writeString(source, "package shop; " + declaration);
        assertThat(ToolProvider.getSystemJavaCompiler()
                        .run(null, null, null, "-d", classes.toString(), source.toString()))
                .isZero();
        return classes;
    }

    private static URLClassLoader loaderOver(Path classes) throws Exception {
        return WebappClasses.loaderOver(classes);
    }

    private static byte[] serialized(Object value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    /** What reading the stream throws, resolving classes through the loader (when given) and under the filter. */
    private static Throwable failureReading(byte[] stream, ClassLoader loader, ObjectInputFilter filter) {
        Throwable failure = catchThrowable(() -> {
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(stream)) {
                @Override
                protected Class<?> resolveClass(ObjectStreamClass described)
                        throws java.io.IOException, ClassNotFoundException {
                    return loader == null
                            ? super.resolveClass(described)
                            : Class.forName(described.getName(), false, loader);
                }
            }) {
                if (filter != null) {
                    in.setObjectInputFilter(filter);
                }
                in.readObject();
            }
        });
        assertThat(failure).as("reading the stream fails").isNotNull();
        return failure;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not in the stream");
    }
}
