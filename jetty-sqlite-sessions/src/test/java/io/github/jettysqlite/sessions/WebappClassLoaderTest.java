package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.support.WebappClasses.inContext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.support.WebappClasses;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.eclipse.jetty.session.SessionData;
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
        classes = WebappClasses.compileCart(dir.resolve("WEB-INF"), 1L);
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
        try (URLClassLoader storing = WebappClasses.loaderOver(classes)) {
            Object cart =
                    storing.loadClass("shop.Cart").getConstructor(String.class).newInstance("book");
            inContext(storing, () -> {
                SessionData data = StoreFixture.session(store, "s1", 0, StoreFixture.NODE);
                data.setAttribute("cart", cart);
                store.store("s1", data);
                return null;
            });
        }

        try (URLClassLoader loading = WebappClasses.loaderOver(classes)) {
            SessionData loaded = inContext(loading, () -> store.load("s1"));

            Object cart = loaded.getAttribute("cart");
            assertThat(cart.getClass().getClassLoader()).isSameAs(loading);
            assertThat(cart).hasToString("Cart[book]");
        }
    }
}
