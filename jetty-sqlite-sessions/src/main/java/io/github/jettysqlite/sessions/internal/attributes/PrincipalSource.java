package io.github.jettysqlite.sessions.internal.attributes;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Modifier;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.session.SessionData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a session is logged in as, read from its attributes when the session is stored. The attributes looked at, in
 * order: the one an application sets on purpose ({@link #EXPLICIT_ATTRIBUTE}), the one the settings name, Jetty's
 * authenticated-session attribute (every Jetty environment's FORM, BASIC, DIGEST and other authenticators keep the
 * login there when they use the session) and Spring Security's security context. The first that yields a name wins.
 *
 * <p>The store is loaded by the server's class loader and these values by a web application's, in any of Jetty's
 * environments, so the values are read through their public methods by name rather than through their types: a
 * {@link String} is the name; a {@link Principal} gives {@code getName()}; Jetty's authentication objects give
 * {@code getUserIdentity()} then {@code getUserPrincipal()}; Spring's security context gives
 * {@code getAuthentication()}, itself a principal.
 */
public final class PrincipalSource {
    private static final Logger LOG = LoggerFactory.getLogger(PrincipalSource.class);

    /** The attribute an application sets to a user name to record it explicitly; it wins over every other source. */
    public static final String EXPLICIT_ATTRIBUTE = "io.github.jettysqlite.sessions.principal";

    /** Where Jetty's authenticators keep a login in the session, in every environment (ee8 to ee11, core). */
    public static final String JETTY_AUTHENTICATION = "org.eclipse.jetty.security.UserIdentity";

    /** Where Spring Security's {@code HttpSessionSecurityContextRepository} keeps the security context. */
    public static final String SPRING_SECURITY_CONTEXT = "SPRING_SECURITY_CONTEXT";

    /** Longer names are cut: an index entry must stay small, and no real user name comes near it. */
    static final int MAX_LENGTH = 512;

    /** Nested accessors followed from an attribute's value to the name; more would mean a cycle. */
    private static final int MAX_DEPTH = 4;

    private static final List<String> ACCESSORS = List.of("getUserIdentity", "getUserPrincipal", "getAuthentication");

    /** Per class, the accessor that leads towards the name (empty: none); looked up once per class. */
    private static final ClassValue<Optional<MethodHandle>> ACCESSOR = new ClassValue<>() {
        @Override
        protected Optional<MethodHandle> computeValue(Class<?> type) {
            for (String name : ACCESSORS) {
                MethodHandle handle = publicAccessor(type, name);
                if (handle != null) {
                    return Optional.of(handle);
                }
            }
            return Optional.empty();
        }
    };

    /** No principal is recorded: the column stays NULL. */
    public static final PrincipalSource NONE = new PrincipalSource(List.of());

    private final List<String> attributes;

    private PrincipalSource(List<String> attributes) {
        this.attributes = attributes;
    }

    /**
     * @param namedAttribute the attribute an application keeps its user in (a name, a {@link Principal}, or an object
     *     with one of the accessors above), or null for none
     */
    public static PrincipalSource of(String namedAttribute) {
        List<String> order = new ArrayList<>();
        order.add(EXPLICIT_ATTRIBUTE);
        if (namedAttribute != null && !namedAttribute.isBlank()) {
            order.add(namedAttribute);
        }
        order.add(JETTY_AUTHENTICATION);
        order.add(SPRING_SECURITY_CONTEXT);
        return new PrincipalSource(List.copyOf(order));
    }

    /** The session's user as its attributes hold it now; null when nobody is logged in (or none is recorded). */
    public String principalOf(SessionData data) {
        for (String attribute : attributes) {
            String name = nameIn(data.getAttribute(attribute), 0);
            if (name != null && !name.isEmpty()) {
                return name.length() > MAX_LENGTH ? name.substring(0, MAX_LENGTH) : name;
            }
        }
        return null;
    }

    /**
     * True when the user can be told from the attributes at hand although those named {@code unread} could not be
     * loaded: an attribute looked at before every one of them names the user, or none of them is looked at.
     */
    public boolean decidedWithout(SessionData data, Set<String> unread) {
        if (unread.isEmpty()) {
            return true;
        }
        for (String attribute : attributes) {
            if (unread.contains(attribute)) {
                return false;
            }
            String name = nameIn(data.getAttribute(attribute), 0);
            if (name != null && !name.isEmpty()) {
                return true;
            }
        }
        return true;
    }

    /** True when any of these attribute names is one this source reads: a change to it may change the user. */
    public boolean readsAnyOf(Collection<String> names) {
        for (String attribute : attributes) {
            if (names.contains(attribute)) {
                return true;
            }
        }
        return false;
    }

    private static String nameIn(Object value, int depth) {
        if (value == null || depth > MAX_DEPTH) {
            return null;
        }
        if (value instanceof String name) {
            return name;
        }
        if (value instanceof Principal principal) {
            return principal.getName();
        }
        Optional<MethodHandle> accessor = ACCESSOR.get(value.getClass());
        if (accessor.isEmpty()) {
            return null;
        }
        try {
            return nameIn(accessor.get().invoke(value), depth + 1);
        } catch (Throwable e) {
            // A principal is a convenience for finding sessions; failing to read it must never fail a store.
            LOG.debug(
                    "Could not read the user of a session from a {}",
                    value.getClass().getName(),
                    e);
            return null;
        }
    }

    /**
     * A public no-argument method of that name on a public type the class is or implements, as a handle taking the
     * object; null when there is none. The class itself may not be public (an implementation of a public interface).
     */
    private static MethodHandle publicAccessor(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            MethodHandle handle = declaredPublic(c, name);
            if (handle != null) {
                return handle;
            }
            for (Class<?> face : c.getInterfaces()) {
                handle = declaredPublic(face, name);
                if (handle != null) {
                    return handle;
                }
            }
        }
        return null;
    }

    private static MethodHandle declaredPublic(Class<?> c, String name) {
        if (!Modifier.isPublic(c.getModifiers())) {
            return null;
        }
        try {
            var method = c.getMethod(name);
            if (method.getReturnType() == void.class || !Modifier.isPublic(method.getModifiers())) {
                return null;
            }
            return MethodHandles.publicLookup()
                    .findVirtual(c, name, MethodType.methodType(method.getReturnType()))
                    .asType(MethodType.methodType(Object.class, Object.class));
        } catch (ReflectiveOperationException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }
}
