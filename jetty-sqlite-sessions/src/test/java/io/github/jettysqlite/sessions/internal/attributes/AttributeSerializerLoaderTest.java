package io.github.jettysqlite.sessions.internal.attributes;

import static io.github.jettysqlite.sessions.support.WebappClasses.inContext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

/**
 * Which loader a stream names for reading its value back: the webapp's whenever the webapp's loader resolves the
 * value's class name to that very class, the server's otherwise. The boot loader's java. classes are decided without
 * asking the loader; the answers must be the ones asking would give, except under a loader that refuses a java. name
 * (no loader can define another class of it, so the value is still the webapp's, and reads back). Reading back, JDK
 * classes resolved once are remembered; nothing else is, and the filter still judges every class.
 */
class AttributeSerializerLoaderTest {
    private static final AttributeSerializer SERIALIZER =
            new AttributeSerializer(info -> ObjectInputFilter.Status.UNDECIDED);

    /** A class of the server's class path, which a webapp loader with no parent cannot see. */
    static final class ServerValue implements Serializable {
        private static final long serialVersionUID = 1L;
        final String name = "server";
    }

    private static List<Object> jdkValues() {
        return List.of(
                "alice",
                42,
                7L,
                true,
                new byte[] {1, 2},
                new ArrayList<>(List.of("a", "b")),
                new HashMap<>(Map.of("k", 1)),
                Locale.GERMANY,
                UUID.randomUUID());
    }

    @Test
    void jdkValuesAreTheWebappsWhenItsLoaderSeesTheJdk() throws Exception {
        try (URLClassLoader webapp = new URLClassLoader(new URL[0], getClass().getClassLoader())) {
            for (Object value : jdkValues()) {
                assertThat(serverFlag(value, webapp))
                        .as(value.getClass().getName())
                        .isFalse();
                assertThat(serverFlag(value, webapp)).isEqualTo(askTheLoader(value, webapp));
            }
            assertThat(serverFlag(new ServerValue(), webapp))
                    .as("a server class the webapp reaches through its parent is the same class")
                    .isFalse();
            // A lambda the JDK made: its class is hidden, in a java. package, and no loader resolves its name.
            Object jdkLambda = Map.Entry.comparingByKey();
            assertThat(jdkLambda.getClass().isHidden()).isTrue();
            assertThat(serverFlag(jdkLambda, webapp))
                    .isEqualTo(askTheLoader(jdkLambda, webapp))
                    .isTrue();
        }
    }

    @Test
    void aLoaderThatSeesOnlyTheBootLayerLeavesEverythingElseToTheServer() throws Exception {
        try (URLClassLoader webapp = new URLClassLoader(new URL[0], null)) {
            for (Object value : jdkValues()) {
                assertThat(serverFlag(value, webapp))
                        .as(value.getClass().getName())
                        .isFalse();
            }
            // java.sql is defined by the platform loader, which a loader without a parent does not ask.
            Timestamp timestamp = new Timestamp(0);
            assertThat(askTheLoader(timestamp, webapp)).isTrue();
            assertThat(serverFlag(timestamp, webapp)).as("java.sql.Timestamp").isTrue();
            assertThat(serverFlag(new ServerValue(), webapp)).isTrue();
        }
    }

    @Test
    void aBootClassOutsideTheJavaPackagesIsAskedOfTheLoader() throws Exception {
        // The boot loader defines javax.security.auth.x500, but the JVM lets any loader define a class of that name
        // (a child-first webapp loader with its own copy would resolve it to that one) or refuse it, as here: only
        // java. names are certain, so only they may skip the question.
        X500Principal principal = new X500Principal("CN=alice");
        assertThat(principal.getClass().getClassLoader()).isNull();
        ClassLoader refusing = refusing(X500Principal.class.getName(), Locale.class.getName());
        assertThat(askTheLoader(principal, refusing)).isTrue();
        assertThat(serverFlag(principal, refusing)).isTrue();

        // A java. name the loader refuses is still the webapp's, as no other loader could define it; it reads back
        // under the same loader, whether the stream remembers the class already or Jetty's stream falls back to the
        // class the JDK resolves.
        assertThat(askTheLoader(Locale.GERMANY, refusing)).isTrue();
        assertThat(serverFlag(Locale.GERMANY, refusing)).isFalse();
        byte[] stream = serializeWith(Locale.GERMANY, refusing);
        assertThat(deserializeWith(stream, refusing)).isEqualTo(Locale.GERMANY);
    }

    @Test
    void noMoreThanSoManyJdkClassesAreRemembered() throws Exception {
        byte[] header;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.flush();
            header = bytes.toByteArray();
        }
        List<Class<?>> jdk = new ArrayList<>();
        // The classes the other tests read come first, so that they are remembered whatever order the tests run in.
        for (Object value : jdkValues()) {
            jdk.add(value.getClass());
        }
        jdk.addAll(javaBootClasses());
        assertThat(jdk.size()).as("enough classes to pass the bound").isGreaterThan(2000);
        // Exactly the bound is remembered, as nothing else resolves classes meanwhile: the test classes of a module
        // run one after another (under concurrent streams the map may pass the bound by a few, at most one per
        // thread).
        try (AttributeObjectInput in = new AttributeObjectInput(new ByteArrayInputStream(header))) {
            for (Class<?> type : jdk) {
                // A stream names a class by its descriptor; whether the class is serializable is the filter's and
                // the stream's business after this, so any class of the JDK will do.
                assertThat(in.resolveClass(ObjectStreamClass.lookupAny(type))).isSameAs(type);
            }
            // Resolved again, remembered or not, each is still the same class.
            for (Class<?> type : jdk) {
                assertThat(in.resolveClass(ObjectStreamClass.lookupAny(type))).isSameAs(type);
            }
        }
        assertThat(AttributeObjectInput.remembered()).isEqualTo(1024);
    }

    /**
     * The classes of java.base's java. packages that are not serializable, from the runtime image. None is
     * initialized: {@code ObjectStreamClass.lookupAny} initializes a serializable class to read its serial version,
     * which for other modules' classes (java.awt) would load native libraries a headless JDK may not have.
     */
    private static List<Class<?>> javaBootClasses() throws Exception {
        List<Class<?>> found = new ArrayList<>();
        Path base = FileSystems.getFileSystem(URI.create("jrt:/")).getPath("/modules/java.base");
        try (Stream<Path> files = Files.walk(base.resolve("java"))) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                String relative = base.relativize(file).toString();
                if (!relative.endsWith(".class")) {
                    continue;
                }
                String name = relative.substring(0, relative.length() - ".class".length())
                        .replace('/', '.');
                Class<?> type = Class.forName(name, false, null);
                if (!Serializable.class.isAssignableFrom(type)) {
                    found.add(type);
                }
            }
        }
        return found;
    }

    /** A loader of the boot layer only that will not resolve the names given, as a webapp's may be set up to. */
    private static ClassLoader refusing(String... names) {
        List<String> refused = List.of(names);
        return new ClassLoader(null) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (refused.contains(name)) {
                    throw new ClassNotFoundException(name);
                }
                return super.loadClass(name, resolve);
            }
        };
    }

    @Test
    void withoutAContextLoaderOnlyTheBootLayersClassesNeedNoServerLoader() throws Exception {
        for (Object value : jdkValues()) {
            // Their own loader is the boot loader, which is what a thread without a context loader reads through.
            assertThat(serverFlag(value, null)).as(value.getClass().getName()).isFalse();
        }
        assertThat(serverFlag(new Timestamp(0), null)).isTrue();
        assertThat(serverFlag(new ServerValue(), null)).isTrue();
    }

    @Test
    void aJdkClassRememberedFromAnEarlierStreamIsStillJudgedByTheFilter() throws Exception {
        ArrayList<String> list = new ArrayList<>(List.of("a", "b"));
        byte[] stream = SERIALIZER.serialize(list);
        assertThat(SERIALIZER.deserialize(stream)).isEqualTo(list);
        assertThat(AttributeObjectInput.remembers(ArrayList.class.getName())).isTrue();

        ObjectInputFilter noLists = info -> info.serialClass() == ArrayList.class
                ? ObjectInputFilter.Status.REJECTED
                : ObjectInputFilter.Status.UNDECIDED;
        assertThatThrownBy(() -> new AttributeSerializer(noLists).deserialize(stream))
                .isInstanceOf(InvalidClassException.class);
    }

    @Test
    void aClassOfTheWebappIsAskedOfTheLoaderEveryTime() throws Exception {
        byte[] stream = SERIALIZER.serialize(new ArrayList<>(List.of(new ServerValue())));
        try (URLClassLoader first = new URLClassLoader(new URL[] {classesOfThisTest()}, null);
                URLClassLoader second = new URLClassLoader(new URL[] {classesOfThisTest()}, null)) {
            Object fromFirst = ((List<?>) deserializeWith(stream, first)).get(0);
            Object fromSecond = ((List<?>) deserializeWith(stream, second)).get(0);
            assertThat(fromFirst.getClass().getClassLoader()).isSameAs(first);
            assertThat(fromSecond.getClass().getClassLoader()).isSameAs(second);
        }
    }

    private static URL classesOfThisTest() {
        return AttributeSerializerLoaderTest.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation();
    }

    private static Object deserializeWith(byte[] stream, ClassLoader webapp) throws Exception {
        return inContext(webapp, () -> SERIALIZER.deserialize(stream));
    }

    /** Serializes with the loader as the thread's context loader, as Jetty calls a store, and reads the flag. */
    private static boolean serverFlag(Object value, ClassLoader webapp) throws Exception {
        byte[] stream = serializeWith(value, webapp);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(stream))) {
            return in.readBoolean();
        }
    }

    private static byte[] serializeWith(Object value, ClassLoader webapp) throws Exception {
        return inContext(webapp, () -> SERIALIZER.serialize(value));
    }

    /** What the webapp's loader itself says: the server's when it resolves the name to another class, or none. */
    private static boolean askTheLoader(Object value, ClassLoader webapp) {
        try {
            return Class.forName(value.getClass().getName(), false, webapp) != value.getClass();
        } catch (ClassNotFoundException e) {
            return true;
        }
    }
}
