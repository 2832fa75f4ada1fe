package org.mpi4j.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.mpi4j.Comm;
import org.mpi4j.ErrorClass;
import org.mpi4j.JobAbortedException;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.opentest4j.AssertionFailedError;

/**
 * Tests {@link MpiTest} through the engine test kit: each test runs one of the sample
 * classes below (static nested classes, which surefire does not discover on its own) and
 * checks the events JUnit reports.
 */
class MpiTestExtensionTest {

    // ------------------------------------------------------------------ samples

    /** (size → ranks that ran) per invocation of {@link Counting#everyRank}. */
    static final Map<Integer, Set<Integer>> SEEN = new ConcurrentHashMap<>();

    static class Counting {
        @MpiTest(ranks = {1, 2, 3, 7})
        void everyRank(Comm world) {
            SEEN.computeIfAbsent(world.size(), _ -> ConcurrentHashMap.newKeySet()).add(world.rank());
            int right = (world.rank() + 1) % world.size();
            int left = (world.rank() + world.size() - 1) % world.size();
            int got = world.sendrecv(world.rank(), right, 0, left, 0);
            assertEquals(left, got);
        }
    }

    static class SameInstance {
        final Set<Integer> ranks = ConcurrentHashMap.newKeySet();

        @MpiTest(ranks = 4)
        void sharesTheInstance(Comm world, TestInfo info) {
            assertNotNull(info, "other parameters are resolved by JUnit");
            ranks.add(world.rank());
            barrier(world);
            assertEquals(Set.of(0, 1, 2, 3), ranks, "every rank ran on this instance");
        }
    }

    /** A barrier made of point-to-point messages (collectives come later). */
    static void barrier(Comm world) {
        if (world.rank() == 0) {
            for (int r = 1; r < world.size(); r++) {
                world.recv(r, 99);
            }
            for (int r = 1; r < world.size(); r++) {
                world.send((Object) null, r, 99);
            }
        } else {
            world.send((Object) null, 0, 99);
            world.recv(0, 99);
        }
    }

    static class FailingRank {
        @MpiTest(ranks = 3)
        void rankTwoFails(Comm world) {
            if (world.rank() == 2) {
                assertEquals(41, 42, "rank 2's own assertion");
            }
            // The others wait for a message rank 2 never sends: the abort must free them.
            world.recv(2, 0);
        }
    }

    static class ThrowingRank {
        @MpiTest(ranks = 2)
        void rankOneThrows(Comm world) {
            if (world.rank() == 1) {
                throw new IllegalStateException("boom on rank 1");
            }
            world.recv(1, 0);
        }
    }

    static class Aborting {
        @MpiTest(ranks = 2)
        void rankOneAborts(Comm world) {
            if (world.rank() == 1) {
                world.abort(3);
            }
            world.recv(1, 0);
        }
    }

    static class Hanging {
        @MpiTest(ranks = 2, timeoutSeconds = 2)
        void deadlock(Comm world) {
            world.recv(1 - world.rank(), 5); // both receive first: a deadlock
        }
    }

    static class Assuming {
        @MpiTest(ranks = {1, 2})
        void needsTwo(Comm world) {
            Assumptions.assumeTrue(world.size() >= 2, "needs 2 ranks");
            world.sendrecv(world.rank(), 1 - world.rank(), 0, 1 - world.rank(), 0);
        }
    }

    static class Seeded {
        @MpiTest(ranks = {1, 2})
        void runs(Comm world) {
            assertTrue(world.size() >= 1);
        }
    }

    static class FailingHostile {
        @MpiTest(ranks = 2)
        void fails(Comm world) {
            assertEquals(0, world.rank(), "only rank 0 passes");
        }
    }

    /** A composed annotation: @MpiTest works as a meta-annotation. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.METHOD)
    @MpiTest(ranks = {2, 3}, engines = "local")
    @interface PairAndTriple {
    }

    static class Composed {
        @PairAndTriple
        void composed(Comm world) {
            assertTrue(world.size() == 2 || world.size() == 3);
        }
    }

    static class Pinned {
        @MpiTest(ranks = 2, engines = "local")
        void onlyLocal(Comm world) {
            assertEquals(2, world.size());
        }
    }

    static class Misconfigured {
        @MpiTest(ranks = {})
        void noRanks(Comm world) {
        }

        @MpiTest(ranks = {2, 0})
        void zeroRanks(Comm world) {
        }

        @MpiTest(ranks = {2, 2})
        void twice(Comm world) {
        }

        @MpiTest(ranks = 1)
        void noComm() {
        }

        @MpiTest(ranks = 1)
        void twoComms(Comm a, Comm b) {
        }

        @MpiTest(ranks = 1, engines = "nonesuch")
        void unknownEngine(Comm world) {
        }

        @MpiTest(ranks = 1, timeoutSeconds = 0)
        void noTime(Comm world) {
        }
    }

    // ------------------------------------------------------------------ tests

    private static EngineExecutionResults run(Class<?> sample, String... config) {
        var request = EngineTestKit.engine("junit-jupiter").selectors(selectClass(sample))
                .configurationParameter(EngineVariants.ENGINES, "local");
        for (int i = 0; i < config.length; i += 2) {
            request.configurationParameter(config[i], config[i + 1]);
        }
        return request.execute();
    }

    /** Asserts that {@code n} tests ran and all succeeded, showing the first failure if not. */
    private static void assertSucceeded(EngineExecutionResults results, int n) {
        for (Event e : results.allEvents().failed().list()) {
            throw new AssertionError(e.getTestDescriptor().getDisplayName() + " failed", failure(e));
        }
        results.testEvents().assertStatistics(s -> s.started(n).succeeded(n).failed(0));
    }

    private static List<String> names(List<Event> events) {
        return events.stream().map(e -> e.getTestDescriptor().getDisplayName()).toList();
    }

    private static Throwable failure(Event e) {
        TestExecutionResult r = e.getRequiredPayload(TestExecutionResult.class);
        return r.getThrowable().orElseThrow();
    }

    @Test
    void runsOncePerRankCountOnEveryRank() {
        SEEN.clear();
        EngineExecutionResults results = run(Counting.class);
        assertSucceeded(results, 4);
        assertEquals(List.of("[local] 1 rank", "[local] 2 ranks", "[local] 3 ranks", "[local] 7 ranks"),
                names(results.testEvents().started().list()));
        Map<Integer, Set<Integer>> expected = new TreeMap<>();
        for (int n : new int[] {1, 2, 3, 7}) {
            Set<Integer> ranks = new TreeSet<>();
            for (int r = 0; r < n; r++) {
                ranks.add(r);
            }
            expected.put(n, ranks);
        }
        Map<Integer, Set<Integer>> seen = new TreeMap<>();
        SEEN.forEach((k, v) -> seen.put(k, new TreeSet<>(v)));
        assertEquals(expected, seen);
    }

    @Test
    void allRanksShareTheTestInstanceAndOtherParametersResolve() {
        assertSucceeded(run(SameInstance.class), 1);
    }

    @Test
    void aFailingRankFailsTheTestWithItsOwnAssertion() {
        long start = System.nanoTime();
        EngineExecutionResults results = run(FailingRank.class);
        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        Throwable t = failure(results.testEvents().failed().list().getFirst());
        assertInstanceOf(AssertionFailedError.class, t);
        assertTrue(t.getMessage().contains("rank 2's own assertion"), t.getMessage());
        JobAbortedException report = suppressed(t, JobAbortedException.class);
        assertEquals(2, report.failedRank());
        assertTrue(report.getMessage().contains("2"), report.getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos(), "the abort freed the other ranks");
    }

    @Test
    void aThrowingRankFailsTheTestWithItsException() {
        EngineExecutionResults results = run(ThrowingRank.class);
        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        Throwable t = failure(results.testEvents().failed().list().getFirst());
        assertInstanceOf(IllegalStateException.class, t);
        assertEquals("boom on rank 1", t.getMessage());
        assertEquals(1, suppressed(t, JobAbortedException.class).failedRank());
    }

    @Test
    void anAbortingRankFailsTheTestWithTheJobAbortedException() {
        EngineExecutionResults results = run(Aborting.class);
        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        Throwable t = failure(results.testEvents().failed().list().getFirst());
        JobAbortedException e = assertInstanceOf(JobAbortedException.class, t);
        assertEquals(1, e.failedRank());
        assertEquals(3, e.errorCode());
    }

    @Test
    void aHangingTestTimesOutWithWhatEachRankWasBlockedIn() {
        long start = System.nanoTime();
        EngineExecutionResults results = run(Hanging.class);
        long took = System.nanoTime() - start;
        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        Throwable t = failure(results.testEvents().failed().list().getFirst());
        MpiException e = assertInstanceOf(MpiException.class, t);
        assertEquals(ErrorClass.TIMEOUT, e.errorClass());
        String m = e.getMessage();
        // The engine's dump names each rank and the operation it is blocked in.
        assertTrue(m.contains("rank 0"), m);
        assertTrue(m.contains("rank 1"), m);
        assertTrue(m.contains("recv(source=1, tag=5)"), m);
        assertTrue(m.contains("recv(source=0, tag=5)"), m);
        assertTrue(took < Duration.ofSeconds(20).toNanos(), "timed out in " + Duration.ofNanos(took));
    }

    @Test
    void anAssumptionSkipsOnlyItsInvocation() {
        run(Assuming.class).testEvents().assertStatistics(s -> s.started(2).succeeded(1).aborted(1).failed(0));
    }

    @Test
    void theHostileVariantShowsAndPrintsItsSeed() {
        String out = capturingStdout(() -> {
            EngineExecutionResults results = run(Seeded.class, EngineVariants.ENGINES, "local, local-hostile",
                    EngineVariants.SEED, "1234567");
            assertSucceeded(results, 4);
            assertEquals(List.of("[local] 1 rank", "[local] 2 ranks",
                    "[local-hostile seed=1234567] 1 rank", "[local-hostile seed=1234567] 2 ranks"),
                    names(results.testEvents().started().list()));
        });
        assertTrue(out.contains("hostile transport seed=1234567"), out);
    }

    @Test
    void aRandomSeedIsPrintedAsShown() {
        List<String> shown = new ArrayList<>();
        String out = capturingStdout(() -> {
            EngineExecutionResults results = run(Seeded.class, EngineVariants.ENGINES, "local-hostile");
            assertSucceeded(results, 2);
            shown.addAll(names(results.testEvents().started().list()));
        });
        for (String name : shown) {
            Matcher m = Pattern.compile("\\[local-hostile seed=(-?\\d+)] \\d+ ranks?").matcher(name);
            assertTrue(m.matches(), name);
            assertTrue(out.contains("hostile transport seed=" + m.group(1)), out);
        }
    }

    @Test
    void aFailureOnASeededEngineTellsHowToReplayIt() {
        EngineExecutionResults results = run(FailingHostile.class, EngineVariants.ENGINES, "local-hostile",
                EngineVariants.SEED, "99");
        results.testEvents().assertStatistics(s -> s.started(1).failed(1));
        Throwable t = failure(results.testEvents().failed().list().getFirst());
        assertInstanceOf(AssertionFailedError.class, t);
        MpiTestExtension.Replay replay = suppressed(t, MpiTestExtension.Replay.class);
        assertEquals("local-hostile seed=99: replay with -Dmpi4j.test.seed=99", replay.getMessage());
    }

    @Test
    void mpiTestWorksAsAMetaAnnotation() {
        EngineExecutionResults results = run(Composed.class);
        assertSucceeded(results, 2);
        assertEquals(List.of("[local] 2 ranks", "[local] 3 ranks"), names(results.testEvents().started().list()));
    }

    @Test
    void engineNamedOnTheAnnotationWins() {
        EngineExecutionResults results = run(Pinned.class, EngineVariants.ENGINES, "local-hostile");
        assertSucceeded(results, 1);
        assertEquals(List.of("[local] 2 ranks"), names(results.testEvents().started().list()));
    }

    @Test
    void misconfigurationIsReportedPrecisely() {
        assertMisconfigured("noRanks", "ranks is empty");
        assertMisconfigured("zeroRanks", "rank count 0 < 1");
        assertMisconfigured("twice", "rank count 2 is listed twice");
        assertMisconfigured("noComm", "has no Comm parameter");
        assertMisconfigured("twoComms", "more than one Comm parameter");
        assertMisconfigured("unknownEngine", "unknown engine 'nonesuch'");
        assertMisconfigured("noTime", "timeoutSeconds < 1: 0");
    }

    @Test
    void anUnknownConfiguredEngineIsReported() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(Seeded.class))
                .configurationParameter(EngineVariants.ENGINES, "local,bogus")
                .execute();
        Throwable t = failure(results.containerEvents().failed().list().getFirst());
        assertInstanceOf(ExtensionConfigurationException.class, t);
        assertTrue(t.getMessage().contains("unknown engine 'bogus' in mpi4j.test.engines=local,bogus"), t.getMessage());
        assertTrue(t.getMessage().contains("local-hostile"), "lists the known engines: " + t.getMessage());
    }

    private static void assertMisconfigured(String method, String expected) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(Misconfigured.class, method,
                        method.equals("noComm") ? "" : method.equals("twoComms")
                                ? Comm.class.getName() + "," + Comm.class.getName() : Comm.class.getName()))
                .configurationParameter(EngineVariants.ENGINES, "local")
                .execute();
        results.testEvents().assertStatistics(s -> s.started(0));
        List<Event> failed = results.containerEvents().failed().list();
        assertEquals(1, failed.size(), method + ": " + failed);
        Throwable t = failure(failed.getFirst());
        assertInstanceOf(ExtensionConfigurationException.class, t, method);
        assertTrue(t.getMessage().contains(expected), method + ": " + t.getMessage());
        assertTrue(t.getMessage().contains("Misconfigured." + method + "()"), "names the method: " + t.getMessage());
    }

    private static <T extends Throwable> T suppressed(Throwable t, Class<T> type) {
        for (Throwable s : t.getSuppressed()) {
            if (type.isInstance(s)) {
                return type.cast(s);
            }
        }
        throw new AssertionError("no suppressed " + type.getSimpleName() + " in " + t, t);
    }

    private static String capturingStdout(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        old.print(out);
        return out;
    }

    @Test
    void localJobIsThere() {
        assertEquals(List.of(0, 1), Mpi.local(2).run(Comm::rank));
    }
}
