package io.github.jettysqlite.sessions.support;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import javax.tools.ToolProvider;

/**
 * Classes that only a webapp's loader can see, as a deployed webapp's own classes are: {@code shop.Cart}, a
 * serializable list of items that is also a {@link java.security.Principal} named after them, compiled at test time
 * into a directory of its own (never on the class path of the tests or of the nodes they start).
 */
public final class WebappClasses {
    private WebappClasses() {}

    /**
     * Compiles {@code shop.Cart} with this {@code serialVersionUID} into {@code <root>/classes}.
     *
     * @return the classes directory
     */
    public static Path compileCart(Path root, long serialVersionUid) throws IOException {
        return compileCart(root, serialVersionUid, "");
    }

    /**
     * As {@link #compileCart(Path, long)}, with more members in the class's body (a static initializer that fails, for
     * a node where the class cannot be used).
     */
    public static Path compileCart(Path root, long serialVersionUid, String members) throws IOException {
        Path classes = Files.createDirectories(root.resolve("classes"));
        Path source = Files.createDirectories(root.resolve("src/shop")).resolve("Cart.java");
        Files.writeString(source, """
                package shop;
                public class Cart implements java.io.Serializable, java.security.Principal {
                    private static final long serialVersionUID = %dL;
                    private final java.util.List<String> items = new java.util.ArrayList<>();
                    public Cart(String item) { items.add(item); }
                    @Override public String getName() { return toString(); }
                    @Override public String toString() { return "Cart" + items; }
                    %s
                }
                """.formatted(serialVersionUid, members));
        int status =
                ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), source.toString());
        if (status != 0) {
            throw new IOException("javac could not compile " + source + " (exit status " + status + ")");
        }
        return classes;
    }

    /** A webapp's loader over the classes, delegating to the tests' own loader first, as Jetty's does for JDK classes. */
    public static URLClassLoader loaderOver(Path classes) throws IOException {
        return new URLClassLoader(new URL[] {classes.toUri().toURL()}, WebappClasses.class.getClassLoader());
    }

    /** A new {@code shop.Cart} of one item, from the calling thread's context class loader. */
    public static Object cart(String item) throws ReflectiveOperationException {
        return Thread.currentThread()
                .getContextClassLoader()
                .loadClass("shop.Cart")
                .getConstructor(String.class)
                .newInstance(item);
    }

    /** Runs the work with the loader as the thread's context class loader, as Jetty runs a webapp's session calls. */
    public static <T> T inContext(ClassLoader loader, Callable<T> work) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return work.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
