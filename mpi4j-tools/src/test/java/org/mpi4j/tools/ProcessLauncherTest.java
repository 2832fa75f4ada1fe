package org.mpi4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mpi4j.tools.Mpi4jTest.Result;

/**
 * {@code mpi4j run --engine process}: one JVM per rank. Every test checks that nothing is
 * left behind: no rank process, no shared-memory directory.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessLauncherTest {
    private static final String APPS = "org.mpi4j.tools.apps.";
    private Set<Path> shmBefore;

    @BeforeEach
    void snapshot() throws IOException {
        shmBefore = shmDirs();
    }

    @AfterEach
    void nothingLeftBehind() throws IOException {
        assertEquals(shmBefore, shmDirs(), "a job left its shared-memory directory behind");
        List<String> orphans = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
        assertEquals(List.of(), orphans, "rank processes outlived their job");
    }

    private static Set<Path> shmDirs() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(shm)) {
            // The launcher's job directories (mpi4j-<12 characters of a UUID>), not other tests' rings.
            return new HashSet<>(s.filter(p -> p.getFileName().toString().matches("mpi4j-[0-9a-f]{8}-[0-9a-f]{3}")).toList());
        }
    }

    private static Result run(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "run";
        all[1] = "--engine";
        all[2] = "process";
        all[3] = "-cp";
        all[4] = System.getProperty("java.class.path");
        System.arraycopy(args, 0, all, 5, args.length);
        return Mpi4jTest.mpi4j(all);
    }

    @Test
    void everyRankIsAJvmOfItsOwn() {
        Result r = run("-n", "3", "--tag-output", "org.mpi4j.examples.HelloMpi");

        assertEquals(0, r.status(), r::toString);
        Set<String> lines = new HashSet<>(r.outLines());
        for (int i = 0; i < 3; i++) {
            assertTrue(lines.contains("[" + i + "] Hello from process " + i + " of 3"), r::toString);
        }
        assertTrue(lines.contains("[1] Process 1 received: Hello from process 0!"), r::toString);
    }

    @Test
    void anUncaughtExceptionFailsTheJobAndNamesTheRank() {
        Result r = run("-n", "3", APPS + "Failing");

        assertEquals(Mpi4j.EXIT_FAILED, r.status(), r::toString);
        assertTrue(r.err().contains("rank 1 of 3 failed"), r::toString);
        assertTrue(r.err().contains("IllegalStateException: rank 1 gives up"), r::toString);
    }

    @Test
    void abortEndsTheJobWithItsCode() {
        Result r = run("-n", "3", APPS + "Aborting");

        assertEquals(3, r.status(), r::toString);
        assertTrue(r.err().contains("rank 0 of 3 failed: called abort(3)"), r::toString);
    }

    @Test
    void aKilledRankFailsEveryOtherRankPromptly() {
        long start = System.nanoTime();
        Result r = run("-n", "3", APPS + "DiesHard");

        assertEquals(Mpi4j.EXIT_FAILED, r.status(), r::toString);
        assertTrue(r.err().contains("rank 1 of 3 failed: was killed by signal 9"), r::toString);
        for (int rank : new int[] {0, 2}) {
            assertTrue(r.out().contains("rank " + rank + " was told: the job was aborted: rank 1 was killed by signal 9"),
                    r::toString);
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60), "took too long");
    }

    @Test
    void aRankThatExitsNonZeroGivesTheJobItsStatus() {
        Result r = run("-n", "2", APPS + "DiesHard", "5");

        assertEquals(5, r.status(), r::toString);
        assertTrue(r.out().contains("rank 0 was told: the job was aborted: rank 1 exited with status 5"), r::toString);
    }

    @Test
    void aTimeoutReportsWhatEachRankIsBlockedIn() {
        Result r = run("-n", "2", "--timeout", "3", APPS + "Hanging");

        assertEquals(Mpi4j.EXIT_TIMEOUT, r.status(), r::toString);
        assertTrue(r.err().contains("timed out after 3.0 s"), r::toString);
        assertTrue(r.err().contains("rank 0:") && r.err().contains("rank 1:"), r::toString);
        assertTrue(r.err().contains("recv(source=ANY_SOURCE, tag=7)"), r::toString);
        assertTrue(!r.err().contains("killed by signal"), "ranks the launcher killed are not reported as failures");
    }

    @Test
    void environmentAndJvmOptionsReachEveryRank() {
        Result r = run("-n", "2", "-x", "MPI4J_TEST_GREETING=bonjour", "--jvm", "-Dmpi4j.test.flag=on",
                APPS + "ShowsEnvironment", "a b", "c");

        assertEquals(0, r.status(), r::toString);
        assertEquals(Set.of("rank 0 engine process greeting bonjour flag on args a b|c",
                "rank 1 engine process greeting bonjour flag on args a b|c"), new HashSet<>(r.outLines()), r::toString);
    }

    /** kill -9 at a random point of random work: every other rank fails promptly, naming the victim. */
    @Test
    void killedAtARandomPointOfRandomWork() {
        long seed = new java.util.Random().nextLong();
        java.util.Random rnd = new java.util.Random(seed);
        int ranks = 2 + rnd.nextInt(3);
        int victim = rnd.nextInt(ranks);
        int step = rnd.nextInt(200);
        System.out.println("seed=" + seed + ": " + ranks + " ranks, rank " + victim + " killed at step " + step);
        long start = System.nanoTime();
        Result r = run("-n", String.valueOf(ranks), APPS + "RandomWork", String.valueOf(seed), String.valueOf(victim),
                String.valueOf(step));

        String why = "seed " + seed + "\n" + r;
        assertEquals(Mpi4j.EXIT_FAILED, r.status(), why);
        assertTrue(r.err().contains("rank " + victim + " of " + ranks + " failed: was killed by signal 9"), why);
        for (int rank = 0; rank < ranks; rank++) {
            if (rank != victim) {
                assertTrue(r.out().contains("rank " + rank + " was told: the job was aborted: rank " + victim
                        + " was killed by signal 9"), why);
            }
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60), "took too long; " + why);
    }

    @Test
    void bindToCoreGivesEachRankOneCoreInTurn() {
        int cores = Runtime.getRuntime().availableProcessors();
        Result r = run("-n", "3", "--bind-to", "core", APPS + "ShowsBinding");

        assertEquals(0, r.status(), r::toString);
        Set<String> expected = new HashSet<>();
        for (int rank = 0; rank < 3; rank++) {
            expected.add("rank " + rank + " cpus " + rank % cores);
        }
        assertEquals(expected, new HashSet<>(r.outLines()), r::toString);

        Result unbound = run("-n", "2", APPS + "ShowsBinding");
        assertEquals(0, unbound.status(), unbound::toString);
        assertTrue(unbound.outLines().stream().allMatch(l -> !l.endsWith("cpus " + 0) || cores == 1), unbound::toString);
    }

    @Test
    void standardInputGoesToRankZero() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status;
        try (java.io.PrintStream o = new java.io.PrintStream(out, true); java.io.PrintStream e = new java.io.PrintStream(err, true)) {
            status = new Mpi4j(new java.io.ByteArrayInputStream("to rank zero\n".getBytes()), o, e, java.util.Map.of())
                    .execute("run", "--engine", "process", "-cp", System.getProperty("java.class.path"), "-n", "2",
                            APPS + "EchoesInput");
        }
        assertEquals(0, status, err::toString);
        assertEquals(Set.of("rank 0 read to rank zero", "rank 1 read null"), new HashSet<>(out.toString().lines().toList()),
                err::toString);
    }
}
