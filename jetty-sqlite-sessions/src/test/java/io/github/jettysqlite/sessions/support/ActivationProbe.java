package io.github.jettysqlite.sessions.support;

import jakarta.servlet.http.HttpSessionActivationListener;
import jakarta.servlet.http.HttpSessionEvent;
import java.io.Serializable;

/**
 * An attribute that keeps part of itself transient and sets it up again when the container activates it, as an
 * attribute holding a connection or a cache would: made by the application it is ready; read from a row it is not,
 * until {@link #sessionDidActivate} runs.
 */
public final class ActivationProbe implements HttpSessionActivationListener, Serializable {
    private static final long serialVersionUID = 1L;

    private final String value;
    private transient boolean ready;

    public ActivationProbe(String value) {
        this.value = value;
        this.ready = true;
    }

    @Override
    public void sessionDidActivate(HttpSessionEvent event) {
        ready = true;
    }

    /** The value, then whether the object was activated since it was read. */
    @Override
    public String toString() {
        return value + (ready ? " ready" : " not activated");
    }
}
