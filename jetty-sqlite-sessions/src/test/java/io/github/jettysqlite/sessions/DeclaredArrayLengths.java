package io.github.jettysqlite.sessions;

import java.nio.ByteBuffer;
import java.util.function.IntUnaryOperator;

/** Rewrites the lengths arrays declare in a Java serialization stream, as a hostile row would. */
final class DeclaredArrayLengths {
    private DeclaredArrayLengths() {}

    /**
     * Every array declared with length 1 gets the length {@code newLength} gives for the offset of its length field;
     * the elements stay as they were, so the stream claims far more than it holds.
     */
    static byte[] rewrite(byte[] stream, IntUnaryOperator newLength) {
        byte[] patched = stream.clone();
        ByteBuffer buffer = ByteBuffer.wrap(patched);
        for (int i = 0; i + 1 < patched.length; i++) {
            if (patched[i] != 0x75) { // TC_ARRAY
                continue;
            }
            int lengthAt;
            if (patched[i + 1] == 0x72) { // TC_CLASSDESC: name, serialVersionUID, flags, no fields, end, no super
                int nameLength = buffer.getShort(i + 2);
                lengthAt = i + 4 + nameLength + 8 + 1 + 2 + 1 + 1;
            } else if (patched[i + 1] == 0x71) { // TC_REFERENCE to a class descriptor read before
                lengthAt = i + 6;
            } else {
                continue;
            }
            if (lengthAt + 4 <= patched.length && buffer.getInt(lengthAt) == 1) {
                buffer.putInt(lengthAt, newLength.applyAsInt(lengthAt));
            }
        }
        return patched;
    }
}
