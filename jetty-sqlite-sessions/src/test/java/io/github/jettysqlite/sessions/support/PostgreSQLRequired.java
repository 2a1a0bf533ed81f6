package io.github.jettysqlite.sessions.support;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * For a test class that needs PostgreSQL ({@code @ExtendWith(PostgreSQLRequired.class)}): without a server, each of
 * its tests is skipped before its {@code @BeforeEach} and {@code @AfterEach} methods run (so none meets a fixture
 * that was never made), and counted as skipped, with {@link PostgreSQLServer}'s one line saying why. Where a server is required, its absence
 * fails every test instead.
 */
public final class PostgreSQLRequired implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("each test looks for PostgreSQL");
        }
        try {
            PostgreSQLServer.get();
            return ConditionEvaluationResult.enabled("PostgreSQL is there");
        } catch (TestAbortedException e) {
            return ConditionEvaluationResult.disabled(e.getMessage());
        }
    }
}
