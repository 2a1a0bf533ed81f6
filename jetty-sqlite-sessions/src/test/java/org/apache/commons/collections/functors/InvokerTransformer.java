package org.apache.commons.collections.functors;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the class at the heart of the best-known Java deserialization gadget chain, under its real name.
 * Its {@code readObject} has a visible side effect, so a test can prove that the filter stopped the stream before
 * the object was ever built.
 */
public class InvokerTransformer implements Serializable {
    public static final AtomicInteger SIDE_EFFECTS = new AtomicInteger();

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        SIDE_EFFECTS.incrementAndGet();
    }
}
