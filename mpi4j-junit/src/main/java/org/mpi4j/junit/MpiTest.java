package org.mpi4j.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test method on every rank of an MPI job, once per rank count and per engine.
 *
 * <pre>{@code
 * @MpiTest(ranks = {1, 2, 3, 4, 7})
 * void ring(Comm world) {
 *     int right = (world.rank() + 1) % world.size();
 *     int left = (world.rank() + world.size() - 1) % world.size();
 *     int got = world.sendrecv(world.rank(), right, 0, left, 0);
 *     assertEquals(left, got);
 * }
 * }</pre>
 *
 * <p>The method takes one {@link org.mpi4j.Comm} parameter, the world communicator of the
 * rank it runs on; other parameters are resolved by JUnit as usual ({@code TestInfo},
 * {@code @TempDir}, ...) and shared by all ranks. All ranks run on the same test instance,
 * each in a thread of its own. Write the body as mpi4py's tests are written: read rank and
 * size, loop over every root, and skip with a reason
 * ({@code Assumptions.assumeTrue(world.size() >= 2, "needs 2 ranks")}) where the size is too
 * small.
 *
 * <p>Each invocation is named like {@code [local] 4 ranks}. The engines come from
 * {@link #engines()}, else the {@code mpi4j.test.engines} setting (a JUnit configuration
 * parameter or system property, comma-separated, default {@code local}):
 * <ul>
 *   <li>{@code local} — ranks are threads of this JVM ({@link org.mpi4j.Mpi#local(int)});</li>
 *   <li>{@code local-hostile} — the same over a transport that fragments, delays and
 *       interleaves, driven by a seed that is shown in the display name and printed
 *       ({@code hostile transport seed=...}); set {@code mpi4j.test.seed} to replay it.</li>
 * </ul>
 *
 * <p>If any rank throws, the job is aborted (no other rank is left hanging) and the test
 * fails with that rank's exception; the {@link org.mpi4j.JobAbortedException} naming the
 * rank is attached to it as suppressed. A job that does not finish within
 * {@link #timeoutSeconds()} is aborted and fails with a report of what every rank was
 * blocked in.
 *
 * <p>Misconfiguration — no rank counts, a count below 1, a method without exactly one
 * {@code Comm} parameter, an unknown engine — fails the test with an
 * {@link org.junit.jupiter.api.extension.ExtensionConfigurationException} that says what is
 * wrong.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(MpiTestExtension.class)
public @interface MpiTest {

    /**
     * The numbers of ranks to run the test at, each at least 1.
     *
     * @return the rank counts, one invocation (per engine) for each
     */
    int[] ranks() default {1, 2, 3, 4, 7};

    /**
     * The watchdog: a job that has not finished after this many seconds is aborted, and the
     * test fails with what each rank was blocked in.
     *
     * @return the time limit of one invocation in seconds, at least 1
     */
    int timeoutSeconds() default 60;

    /**
     * The engine variants to run on, e.g. {@code {"local"}}; empty (the default) means those
     * the {@code mpi4j.test.engines} setting lists.
     *
     * @return the engine variant names, or none for the configured ones
     */
    String[] engines() default {};
}
