package io.github.jettysqlite.benchmarks;

/**
 * One measured cell: a subject's operation at one attribute size, shape and thread count. The operation tables, the
 * PostgreSQL table and the targets all look their figures up by it.
 */
record OpKey(String subject, Operation op, int size, Shape shape, int threads) {}
