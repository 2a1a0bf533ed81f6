package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static io.github.jettysqlite.sessions.StoreFixture.OTHER_NODE;
import static io.github.jettysqlite.sessions.StoreFixture.session;
import static io.github.jettysqlite.sessions.support.WebappClasses.cart;
import static io.github.jettysqlite.sessions.support.WebappClasses.inContext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.jettysqlite.sessions.support.WebappClasses;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.UnreadableSessionDataException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling deploy: node B runs the new version of a webapp, whose classes include {@code shop.Cart} (or a new,
 * incompatible version of it), and stores one in a session; node A runs the old version. Node A loads the session
 * without the attribute it cannot load, with every other attribute, and whatever it writes (other attributes, the
 * metadata, the session under a new id) leaves the attribute in the row, so node B finds it again. Jetty would take
 * the whole session for unreadable and end it on every node. A class the filter rejects is not such a case: the row
 * stays unreadable.
 */
abstract class AbstractUnloadableAttributesTest {
    private static final long HOUR = 3_600_000;

    @TempDir
    Path dir;

    private StoreFixture fixture;
    /** The old version's node: the webapp's loader has no {@code shop.Cart}, or the old one. */
    private SessionTableDataStore nodeA;
    /** The new version's node. */
    private SessionTableDataStore nodeB;

    private URLClassLoader newVersion;
    private URLClassLoader oldVersion;

    abstract StoreFixture newFixture(Path dir) throws Exception;

    @BeforeEach
    void start() throws Exception {
        newVersion = WebappClasses.loaderOver(WebappClasses.compileCart(dir.resolve("v2"), 2L));
        oldVersion = WebappClasses.loaderOver(WebappClasses.compileCart(dir.resolve("v1"), 1L));
        fixture = newFixture(dir);
        nodeA = fixture.store(NODE, "/app", SessionContext.NULL_VHOST, s -> s.setPrincipalAttribute("appUser"));
        nodeB = fixture.store(OTHER_NODE, "/app", SessionContext.NULL_VHOST, s -> s.setPrincipalAttribute("appUser"));
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
        newVersion.close();
        oldVersion.close();
    }

    @Test
    void anAttributeOfAClassTheNodeLacksIsLeftOutAndKeptThroughItsWrites() throws Exception {
        cartStoredByTheNewVersion("s1");

        SessionData loaded = nodeA.load("s1");
        assertThat(loaded.getKeys()).containsExactly("user");
        assertThat(loaded.getAttribute("user")).isEqualTo("alice");
        assertThat(nodeA.getStatistics().getAttributesNotLoaded()).isEqualTo(1);

        loaded.setAttribute("color", "red");
        nodeA.store("s1", loaded);
        // A write of the metadata only, and a second attribute write from the same copy, keep it too.
        nodeA.store("s1", loaded);
        loaded.setAttribute("size", "L");
        nodeA.store("s1", loaded);

        SessionData seen = inContext(newVersion, () -> nodeB.load("s1"));
        assertThat(seen.getAttribute("cart")).hasToString("Cart[pen]");
        assertThat(seen.getAttribute("user")).isEqualTo("alice");
        assertThat(seen.getAttribute("color")).isEqualTo("red");
        assertThat(seen.getAttribute("size")).isEqualTo("L");
    }

    @Test
    void anAttributeOfAnIncompatibleVersionOfItsClassIsLeftOutAndKept() throws Exception {
        cartStoredByTheNewVersion("s1");

        SessionData loaded = inContext(oldVersion, () -> nodeA.load("s1"));
        assertThat(loaded.getKeys()).containsExactly("user");
        loaded.setAttribute("color", "red");
        inContext(oldVersion, () -> {
            nodeA.store("s1", loaded);
            return null;
        });

        SessionData seen = inContext(newVersion, () -> nodeB.load("s1"));
        assertThat(seen.getAttribute("cart")).hasToString("Cart[pen]");
        assertThat(seen.getAttribute("color")).isEqualTo("red");
    }

    @Test
    void aClassWhoseStaticInitializerFailsOnThisNodeIsLeftOutFromTheFirstLoadOn() throws Exception {
        cartStoredByTheNewVersion("s1");
        try (URLClassLoader broken = WebappClasses.loaderOver(WebappClasses.compileCart(
                dir.resolve("broken"), 2L, "static final int LIMIT = Integer.parseInt(\"unset\");"))) {
            for (int load = 0; load < 2; load++) {
                SessionData loaded = inContext(broken, () -> nodeA.load("s1"));
                assertThat(loaded.getKeys()).as("load %d", load).containsExactly("user");
            }
            SessionData loaded = inContext(broken, () -> nodeA.load("s1"));
            loaded.setAttribute("color", "red");
            inContext(broken, () -> {
                nodeA.store("s1", loaded);
                return null;
            });
        }

        SessionData seen = inContext(newVersion, () -> nodeB.load("s1"));
        assertThat(seen.getAttribute("cart")).hasToString("Cart[pen]");
        assertThat(seen.getAttribute("color")).isEqualTo("red");
    }

    @Test
    void aSessionGivenANewIdByTheOldVersionKeepsTheAttribute() throws Exception {
        cartStoredByTheNewVersion("s1");

        SessionData loaded = nodeA.load("s1");
        // As Jetty's cache renews an id: the same data, a new id, written as never saved, then the old row deleted.
        loaded.setId("s2");
        loaded.setLastSaved(0);
        nodeA.store("s2", loaded);
        nodeA.delete("s1");

        SessionData seen = inContext(newVersion, () -> nodeB.load("s2"));
        assertThat(seen.getAttribute("cart")).hasToString("Cart[pen]");
        assertThat(seen.getAttribute("user")).isEqualTo("alice");
        assertThat(inContext(newVersion, () -> nodeB.load("s1"))).isNull();
    }

    @Test
    void anAttributeTheOldVersionRemovesByNameIsGone() throws Exception {
        cartStoredByTheNewVersion("s1");

        SessionData loaded = nodeA.load("s1");
        loaded.setAttribute("cart", null);
        nodeA.store("s1", loaded);
        // Written again from the same copy: the removal is not undone by what the load had left out.
        loaded.setAttribute("color", "red");
        nodeA.store("s1", loaded);

        SessionData seen = inContext(newVersion, () -> nodeB.load("s1"));
        assertThat(seen.getKeys()).containsExactlyInAnyOrder("user", "color");
    }

    @Test
    void theUserRecordedFromAnAttributeTheOldVersionCannotLoadStaysRecorded() throws Exception {
        cartAndUserStoredByTheNewVersion("s1");
        assertThat(principalOf("s1")).isEqualTo("Cart[x]");

        SessionData loaded = nodeA.load("s1");
        // The metadata alone, then an attribute, each written while the row is at the version this copy loaded.
        nodeA.store("s1", loaded);
        assertThat(principalOf("s1")).isEqualTo("Cart[x]");
        loaded.setAttribute("color", "red");
        nodeA.store("s1", loaded);
        assertThat(principalOf("s1")).isEqualTo("Cart[x]");

        // The new version changes the cart meanwhile: the old version's next write merges and keeps that change.
        SessionData current = inContext(newVersion, () -> nodeB.load("s1"));
        inContext(newVersion, () -> {
            current.setAttribute("cart", cart("book"));
            nodeB.store("s1", current);
            return null;
        });
        loaded.setAttribute("size", "L");
        nodeA.store("s1", loaded);

        assertThat(principalOf("s1")).isEqualTo("Cart[x]");
        SessionData seen = inContext(newVersion, () -> nodeB.load("s1"));
        assertThat(seen.getAttribute("cart")).hasToString("Cart[book]");
        assertThat(seen.getAttribute("appUser")).hasToString("Cart[x]");
        assertThat(seen.getAttribute("color")).isEqualTo("red");
        assertThat(seen.getAttribute("size")).isEqualTo("L");
    }

    @Test
    void aSessionGivenANewIdByTheOldVersionKeepsTheUserOnlyTheNewVersionCanRead() throws Exception {
        inContext(newVersion, () -> {
            SessionData data = session(nodeB, "s1", System.currentTimeMillis() + HOUR, OTHER_NODE);
            data.setAttribute("appUser", cart("x"));
            StoreFixture.put(nodeB, data);
            return null;
        });

        SessionData loaded = nodeA.load("s1");
        loaded.setId("s2");
        loaded.setLastSaved(0);
        nodeA.store("s2", loaded);

        assertThat(principalOf("s2")).isEqualTo("Cart[x]");
    }

    @Test
    void aUserNamedByAnAttributeTheOldVersionCannotLoadOutranksOneItCanRead() throws Exception {
        inContext(newVersion, () -> {
            SessionData data = session(nodeB, "s1", System.currentTimeMillis() + HOUR, OTHER_NODE);
            // The settings' attribute is looked at before Spring Security's context, which the old version can read.
            data.setAttribute("appUser", cart("x"));
            data.setAttribute("SPRING_SECURITY_CONTEXT", "someone-else");
            StoreFixture.put(nodeB, data);
            return null;
        });
        assertThat(principalOf("s1")).isEqualTo("Cart[x]");

        SessionData loaded = nodeA.load("s1");
        loaded.setAttribute("color", "red");
        nodeA.store("s1", loaded);
        nodeA.store("s1", loaded);

        assertThat(principalOf("s1")).isEqualTo("Cart[x]");
    }

    @Test
    void withoutInPlaceComparisonTheAttributeIsKeptToo() throws Exception {
        SessionTableDataStore notComparing =
                fixture.store(NODE, "/app", SessionContext.NULL_VHOST, s -> s.setSaveInPlaceChanges(false));
        cartStoredByTheNewVersion("s1");

        SessionData loaded = notComparing.load("s1");
        loaded.setAttribute("color", "red");
        notComparing.store("s1", loaded);

        SessionData seen = inContext(newVersion, () -> nodeB.load("s1"));
        assertThat(seen.getAttribute("cart")).hasToString("Cart[pen]");
        assertThat(seen.getAttribute("color")).isEqualTo("red");
    }

    @Test
    void aNewIdAfterAMergeWritesTheAttributeAsTheOtherWriterLeftIt() throws Exception {
        cartAndUserStoredByTheNewVersion("s1");
        SessionData loaded = nodeA.load("s1");
        // The new version changes the cart and who is logged in.
        SessionData current = inContext(newVersion, () -> nodeB.load("s1"));
        inContext(newVersion, () -> {
            current.setAttribute("cart", cart("book"));
            current.setAttribute("appUser", cart("y"));
            nodeB.store("s1", current);
            return null;
        });
        assertThat(principalOf("s1")).isEqualTo("Cart[y]");
        // The old version's write merges onto the new cart; a renewal then writes the session whole.
        loaded.setAttribute("color", "red");
        nodeA.store("s1", loaded);
        loaded.setId("s2");
        loaded.setLastSaved(0);
        nodeA.store("s2", loaded);

        SessionData seen = inContext(newVersion, () -> nodeB.load("s2"));
        assertThat(seen.getAttribute("cart")).hasToString("Cart[book]");
        assertThat(seen.getAttribute("appUser")).hasToString("Cart[y]");
        assertThat(seen.getAttribute("color")).isEqualTo("red");
        assertThat(principalOf("s2")).isEqualTo("Cart[y]");
    }

    @Test
    void aClassTheFilterRejectsStillMakesTheRowUnreadable() throws Exception {
        cartStoredByTheNewVersion("s1");
        SessionTableDataStore strict = fixture.store(
                NODE, "/app", SessionContext.NULL_VHOST, s -> s.setDeserializationFilter("java.**;!shop.**"));

        assertThatThrownBy(() -> inContext(newVersion, () -> strict.load("s1")))
                .isInstanceOf(UnreadableSessionDataException.class);
        assertThat(strict.getStatistics().getAttributesNotLoaded()).isZero();
    }

    /** As {@link #cartStoredByTheNewVersion}, with the user in an attribute of the new version's class too. */
    private void cartAndUserStoredByTheNewVersion(String id) throws Exception {
        inContext(newVersion, () -> {
            SessionData data = session(nodeB, id, System.currentTimeMillis() + HOUR, OTHER_NODE);
            data.setAttribute("appUser", cart("x"));
            data.setAttribute("cart", cart("pen"));
            StoreFixture.put(nodeB, data);
            return null;
        });
    }

    private void cartStoredByTheNewVersion(String id) throws Exception {
        inContext(newVersion, () -> {
            SessionData data = session(nodeB, id, System.currentTimeMillis() + HOUR, OTHER_NODE);
            data.setAttribute("cart", cart("pen"));
            StoreFixture.put(nodeB, data);
            return null;
        });
    }

    private String principalOf(String id) throws Exception {
        return (String) fixture.query("SELECT principal FROM jetty_sessions WHERE session_id = ?", id)
                .get(0)
                .get(0);
    }
}
