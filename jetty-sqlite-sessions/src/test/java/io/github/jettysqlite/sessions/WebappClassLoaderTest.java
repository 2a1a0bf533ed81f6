package io.github.jettysqlite.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import javax.tools.ToolProvider;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.UnreadableSessionDataException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attributes whose class only a webapp's class loader can see: stored and loaded while the context class loader
 * is the webapp's (as Jetty arranges around every store call), they come back as instances of the class that the
 * loading webapp's loader defines.
 */
class WebappClassLoaderTest {
    @TempDir
    Path dir;

    private Path classes;
    private SQLiteFixture fixture;

    @BeforeEach
    void compileWebappClass() throws Exception {
        classes = Files.createDirectories(dir.resolve("WEB-INF/classes"));
        Path source = Files.createDirectories(dir.resolve("src/shop")).resolve("Cart.java");
        Files.writeString(source, """
                package shop;
                public class Cart implements java.io.Serializable {
                    private final java.util.List<String> items = new java.util.ArrayList<>();
                    public Cart(String item) { items.add(item); }
                    @Override public String toString() { return "Cart" + items; }
                }
                """);
        int status =
                ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), source.toString());
        assertThat(status).isZero();
        fixture = new SQLiteFixture(dir.resolve("sessions.db"));
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void webappOnlyClassRoundTripsThroughTheWebappLoader() throws Exception {
        assertThatThrownBy(() -> Class.forName("shop.Cart")).isInstanceOf(ClassNotFoundException.class);
        SQLiteSessionDataStore store = fixture.store();
        try (URLClassLoader storing = webappLoader()) {
            Object cart =
                    storing.loadClass("shop.Cart").getConstructor(String.class).newInstance("book");
            inContext(storing, () -> {
                SessionData data = StoreFixture.session(store, "s1", 0, StoreFixture.NODE);
                data.setAttribute("cart", cart);
                store.store("s1", data);
                return null;
            });
        }

        try (URLClassLoader loading = webappLoader()) {
            SessionData loaded = inContext(loading, () -> store.load("s1"));

            Object cart = loaded.getAttribute("cart");
            assertThat(cart.getClass().getClassLoader()).isSameAs(loading);
            assertThat(cart).hasToString("Cart[book]");
        }
    }

    @Test
    void withoutTheWebappLoaderTheSessionIsUnreadable() throws Exception {
        SQLiteSessionDataStore store = fixture.store();
        try (URLClassLoader storing = webappLoader()) {
            Object cart =
                    storing.loadClass("shop.Cart").getConstructor(String.class).newInstance("pen");
            inContext(storing, () -> {
                SessionData data = StoreFixture.session(store, "s1", 0, StoreFixture.NODE);
                data.setAttribute("cart", cart);
                store.store("s1", data);
                return null;
            });
        }

        assertThatThrownBy(() -> store.load("s1"))
                .isInstanceOf(UnreadableSessionDataException.class)
                .hasRootCauseInstanceOf(ClassNotFoundException.class);
    }

    private URLClassLoader webappLoader() throws Exception {
        return new URLClassLoader(
                new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
    }

    private static <T> T inContext(ClassLoader loader, Callable<T> work) throws Exception {
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
