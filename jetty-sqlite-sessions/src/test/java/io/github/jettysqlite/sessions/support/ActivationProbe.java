package io.github.jettysqlite.sessions.support;

import jakarta.servlet.http.HttpSessionActivationListener;
import jakarta.servlet.http.HttpSessionEvent;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An attribute that keeps part of itself transient and sets it up again when the container activates it, as an
 * attribute holding a connection or a cache would: made by the application it is ready; read from a row it is not,
 * until {@link #sessionDidActivate} runs.
 */
public final class ActivationProbe implements HttpSessionActivationListener, Serializable {
    private static final long serialVersionUID = 1L;
    private static final AtomicBoolean FAIL_NEXT = new AtomicBoolean();

    private final String value;
    private transient boolean ready;

    public ActivationProbe(String value) {
        this.value = value;
        this.ready = true;
    }

    /**
     * Makes the next activation of a probe read from a row throw, as a listener whose set-up fails would (a probe the
     * application made is left alone: Jetty activates those too, after each save).
     */
    public static void failNextActivation() {
        FAIL_NEXT.set(true);
    }

    @Override
    public void sessionDidActivate(HttpSessionEvent event) {
        if (!ready && FAIL_NEXT.compareAndSet(true, false)) {
            throw new IllegalStateException("this activation fails, as asked");
        }
        ready = true;
    }

    /** The value, then whether the object was activated since it was read. */
    @Override
    public String toString() {
        return value + (ready ? " ready" : " not activated");
    }
}
