package io.github.jettysqlite.benchmarks;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/** Incompressible attribute values of a given size, one shared array per size (serializing copies it anyway). */
final class Payloads {
    private static final Map<Integer, byte[]> BY_SIZE = new ConcurrentHashMap<>();

    private Payloads() {}

    static byte[] of(int size) {
        return BY_SIZE.computeIfAbsent(size, s -> {
            byte[] bytes = new byte[s];
            new Random(s).nextBytes(bytes);
            return bytes;
        });
    }
}
