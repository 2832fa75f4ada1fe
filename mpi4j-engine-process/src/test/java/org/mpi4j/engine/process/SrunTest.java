package org.mpi4j.engine.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mpi4j.transport.shm.ShmTransport;

/**
 * {@code srun -n N java -cp app.jar Main}, without SLURM: the test starts N JVMs with the
 * variables {@code srun} gives its tasks, and they find each other through rank 0's
 * rendezvous file. Every test checks that nothing is left behind: no rank process, no
 * rendezvous file, no shared-memory directory.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SrunTest {
    private static final Duration END = Duration.ofSeconds(90);

    @TempDir
    Path tmp;
    private Path dir;
    private String jobId;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void setUp() {
        dir = tmp.resolve("rendezvous");
        jobId = Integer.toString(100_000 + ThreadLocalRandom.current().nextInt(900_000));
    }

    @AfterEach
    void nothingLeftBehind() throws IOException, InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("a rank outlived its test: pid " + p.pid());
            }
        }
        assertEquals(List.of(), files(dir), "the rendezvous file was left behind");
        Path shm = ShmTransport.jobDirectory("slurm-" + jobId + ".0");
        assertTrue(!Files.exists(shm), "the step left its shared-memory directory " + shm + ": " + files(shm));
    }

    private static List<Path> files(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    // ------------------------------------------------------------------ the tests

    @Test
    void heatDiffusionRunsAsAStepOfFourTasks() throws Exception {
        Map<Integer, Process> p = new LinkedHashMap<>();
        for (int r = 3; r >= 1; r--) { // rank 0 last: the others wait for its file
            p.put(r, task(r, 4, Map.of(), "org.mpi4j.examples.HeatDiffusion"));
        }
        Thread.sleep(1000);
        p.put(0, task(0, 4, Map.of(), "org.mpi4j.examples.HeatDiffusion"));

        Map<Integer, Integer> status = awaitAll(p);
        String out0 = out(0);
        String why = report(p.keySet());
        assertEquals(Map.of(0, 0, 1, 0, 2, 0, 3, 0), status, why);
        assertTrue(out0.contains("Heat diffusion on a 20 x 40 grid, 40 steps, 4 ranks as a 2 x 2 Cartesian grid"), why);
        assertTrue(out0.contains("Identical to the serial solver, bit for bit: yes"), why);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)),
                "the rendezvous directory is its owner's only");
    }

    @Test
    void theFileIsPublishedOwnerOnlyUnderHomeAndDeletedOnceAllHaveJoined() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home);
        dir = home.resolve(".mpi4j").resolve("slurm"); // the default, $HOME/.mpi4j/slurm
        Map<String, String> env = Map.of("HOME", home.toString(), "MPI4J_SLURM_DIR", "");
        Map<Integer, Process> p = new LinkedHashMap<>();
        p.put(0, task(0, 3, env, SlurmApps.Report.class.getName()));
        p.put(1, task(1, 3, env, SlurmApps.Report.class.getName()));

        // Rank 2 has not started: the file stays until it joins.
        Path file = dir.resolve(jobId + ".0");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(file), "rank 0 published no rendezvous file; " + report(p.keySet()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        String text = Files.readString(file);
        assertTrue(text.contains("step=" + jobId + ".0\n") && text.contains("rendezvous=127.0.0.1:")
                && text.contains("secret="), text);
        assertEquals(List.of(file), files(dir), "no temporary file is left next to it");
        Thread.sleep(500);
        assertTrue(Files.exists(file), "the file must stay until every rank has joined");

        p.put(2, task(2, 3, env, SlurmApps.Report.class.getName()));
        Map<Integer, Integer> status = awaitAll(p);
        String why = report(p.keySet());
        assertEquals(Map.of(0, 0, 1, 0, 2, 0), status, why);
        Set<String> lines = new HashSet<>();
        for (int r = 0; r < 3; r++) {
            lines.addAll(out(r).lines().toList());
        }
        assertEquals(Set.of("rank 0 of 3 engine process sum 3", "rank 1 of 3 engine process sum 3",
                "rank 2 of 3 engine process sum 3"), lines, why);
    }

    @Test
    void twoNodesPlayedByHostIdsUseTcpBetweenThem() throws Exception {
        Map<Integer, Process> p = new LinkedHashMap<>();
        for (int r = 0; r < 4; r++) {
            // Ranks 0 and 1 on "node a", 2 and 3 on "node b": shared memory within, TCP between;
            // two nodes, so rank 0's rendezvous listens on an address other nodes can reach.
            p.put(r, task(r, 4, Map.of("SLURM_STEP_NUM_NODES", "2", "SLURM_NNODES", "2",
                    "MPI4J_HOST_ID", r < 2 ? "node-a" : "node-b"), "org.mpi4j.examples.HeatDiffusion", "12", "30", "25"));
        }
        Map<Integer, Integer> status = awaitAll(p);
        String why = report(p.keySet());
        assertEquals(Map.of(0, 0, 1, 0, 2, 0, 3, 0), status, why);
        assertTrue(out(0).contains("Identical to the serial solver, bit for bit: yes"), why);
    }

    @Test
    void aRankWhoseMainThrowsFailsTheOthersPromptlyNamingIt() throws Exception {
        long start = System.nanoTime();
        Map<Integer, Process> p = startAll(3, Map.of(), SlurmApps.Failing.class.getName(), "any", "1");
        Map<Integer, Integer> status = awaitAll(p);
        String why = report(p.keySet());
        assertNotEquals(Integer.valueOf(0), status.get(1), why);
        assertTrue(err(1).contains("java.lang.IllegalStateException: rank 1 gives up"), why);
        assertTrue(err(0).contains("mpi4j: SLURM step " + jobId + ".0 is aborted: rank 1 of 3 failed:"
                + " java.lang.IllegalStateException: rank 1 gives up"), why);
        for (int r : new int[] {0, 2}) {
            assertTrue(out(r).contains("rank " + r + " was told: the job was aborted: rank 1 failed:"
                    + " java.lang.IllegalStateException: rank 1 gives up"), why);
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60), "took too long; " + why);
    }

    @Test
    void theRankThatFailedIsNamedNotThePeerThatNoticedItHadFinalized() throws Exception {
        // Rank 1's exception leaves try-with-resources, which finalizes it first: the others'
        // receives from it fail at once ("rank 1 has finalized"). Their own failure must not
        // be taken for the job's: rank 1's is.
        Map<Integer, Process> p = startAll(3, Map.of(), SlurmApps.Failing.class.getName(), "watched", "1");
        Map<Integer, Integer> status = awaitAll(p);
        String why = report(p.keySet());
        for (int r = 0; r < 3; r++) {
            assertNotEquals(Integer.valueOf(0), status.get(r), why);
        }
        assertTrue(err(0).contains("is aborted: rank 1 of 3 failed: java.lang.IllegalStateException: rank 1 gives up"),
                why);
        assertTrue(!err(0).contains("is aborted: rank 0") && !err(0).contains("is aborted: rank 2"), why);
        for (int r : new int[] {0, 2}) {
            assertTrue(err(r).contains("mpi4j: rank " + r + ": the job was aborted: rank 1 failed:"
                    + " java.lang.IllegalStateException: rank 1 gives up"), why);
        }
    }

    @Test
    void whenRankZeroThrowsTheOthersAreTold() throws Exception {
        Map<Integer, Process> p = startAll(3, Map.of(), SlurmApps.Failing.class.getName(), "any", "0");
        Map<Integer, Integer> status = awaitAll(p);
        String why = report(p.keySet());
        assertNotEquals(Integer.valueOf(0), status.get(0), why);
        assertTrue(err(0).contains("is aborted: rank 0 of 3 failed: java.lang.IllegalStateException: rank 0 gives up"),
                why);
        for (int r : new int[] {1, 2}) {
            assertTrue(out(r).contains("rank " + r + " was told: the job was aborted: rank 0 failed:"
                    + " java.lang.IllegalStateException: rank 0 gives up"), why);
        }
    }

    @Test
    void aKilledRankFailsTheOthersPromptlyNamingIt() throws Exception {
        long start = System.nanoTime();
        Map<Integer, Process> p = startAll(3, Map.of(), SlurmApps.Killed.class.getName(), "1");
        Map<Integer, Integer> status = awaitAll(p);
        String why = report(p.keySet());
        assertEquals(Integer.valueOf(137), status.get(1), why);
        assertTrue(err(0).contains("is aborted: rank 1 of 3 was lost before it finalized: its process ended or was"
                + " killed (pid " + p.get(1).pid()), why);
        for (int r : new int[] {0, 2}) {
            assertTrue(out(r).contains("rank " + r + " was told: the job was aborted: rank 1 was lost before it"
                    + " finalized"), why);
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60), "took too long; " + why);
    }

    @Test
    void whenRankZeroIsKilledTheOthersEndThemselves() throws Exception {
        Map<Integer, Process> p = startAll(3, Map.of(), SlurmApps.Killed.class.getName(), "0");
        Map<Integer, Integer> status = awaitAll(p);
        String why = report(p.keySet());
        assertEquals(Integer.valueOf(137), status.get(0), why);
        for (int r : new int[] {1, 2}) {
            assertTrue(out(r).contains("rank " + r + " was told: the job was aborted: rank " + r + " lost rank 0,"
                    + " which holds the rendezvous of SLURM step " + jobId + ".0"), why);
        }
    }

    @Test
    void aRankThatEndsWithoutFinalizingFailsTheJob() throws Exception {
        Map<Integer, Process> p = startAll(3, Map.of(), SlurmApps.NeverFinalizes.class.getName());
        awaitAll(p);
        String why = report(p.keySet());
        assertTrue(err(0).contains("is aborted: rank 1 of 3 exited before finalizing"), why);
        for (int r : new int[] {0, 2}) {
            assertTrue(out(r).contains("rank " + r + " was told: the job was aborted: rank 1 exited before finalizing"),
                    why);
        }
    }

    @Test
    void aFileLeftByAnEarlierRunOfTheStepIsReplaced() throws Exception {
        // A requeued job runs its steps again under the same ids; its rank 0 may have been
        // killed before it could delete the file. The ranks that read it first retry.
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(jobId + ".0"), "step=" + jobId + ".0\nrendezvous=127.0.0.1:1\nsecret="
                + JobSecret.generate().encoded() + "\n");
        Map<Integer, Process> p = new LinkedHashMap<>();
        p.put(1, task(1, 2, Map.of(), SlurmApps.Report.class.getName()));
        Thread.sleep(1500);
        p.put(0, task(0, 2, Map.of(), SlurmApps.Report.class.getName()));
        Map<Integer, Integer> status = awaitAll(p);
        String why = report(p.keySet());
        assertEquals(Map.of(0, 0, 1, 0), status, why);
        assertTrue(out(1).contains("rank 1 of 2 engine process sum 1"), why);
    }

    @Test
    void aRankWhoseRendezvousFileNeverAppearsSaysWhichFileItWaitedFor() throws Exception {
        long start = System.nanoTime();
        Map<Integer, Process> p = new LinkedHashMap<>();
        p.put(1, task(1, 2, Map.of("MPI4J_SLURM_TIMEOUT", "2"), SlurmApps.Report.class.getName()));
        Map<Integer, Integer> status = awaitAll(p);
        String why = report(p.keySet());
        assertNotEquals(Integer.valueOf(0), status.get(1), why);
        assertTrue(err(1).contains("rank 0's rendezvous file " + dir.resolve(jobId + ".0") + " did not appear within 2 s"),
                why);
        assertTrue(err(1).contains("mpi4j.slurm.dir"), why);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "took too long; " + why);
        assertTrue(!Files.exists(dir), "a rank that waits creates nothing");
    }

    // ------------------------------------------------------------------ the simulated srun

    private Map<Integer, Process> startAll(int n, Map<String, String> env, String main, String... args)
            throws IOException {
        Map<Integer, Process> p = new LinkedHashMap<>();
        for (int r = 0; r < n; r++) {
            p.put(r, task(r, n, env, main, args));
        }
        return p;
    }

    /** Starts task {@code rank} of a step of {@code n}, as srun would, output to files. */
    private Process task(int rank, int n, Map<String, String> env, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("SLURM_") || k.startsWith("MPI4J_"));
        e.put("SLURM_JOB_ID", jobId);
        e.put("SLURM_JOBID", jobId);
        e.put("SLURM_STEP_ID", "0");
        e.put("SLURM_STEPID", "0");
        e.put("SLURM_PROCID", Integer.toString(rank));
        e.put("SLURM_LOCALID", Integer.toString(rank));
        e.put("SLURM_NODEID", "0");
        e.put("SLURM_NTASKS", Integer.toString(n));
        e.put("SLURM_NPROCS", Integer.toString(n));
        e.put("SLURM_STEP_NUM_TASKS", Integer.toString(n));
        e.put("SLURM_STEP_NUM_NODES", "1");
        e.put("SLURM_NNODES", "1");
        e.put("SLURM_LAUNCH_NODE_IPADDR", "127.0.0.1");
        e.put("MPI4J_SLURM_DIR", dir.toString());
        e.putAll(env);
        if (e.get("MPI4J_SLURM_DIR").isEmpty()) {
            e.remove("MPI4J_SLURM_DIR");
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectOutput(log(rank, "out").toFile());
        pb.redirectError(log(rank, "err").toFile());
        Process p = pb.start();
        started.add(p);
        return p;
    }

    private Path log(int rank, String what) {
        return tmp.resolve("rank" + rank + "." + what);
    }

    private String out(int rank) throws IOException {
        return Files.exists(log(rank, "out")) ? Files.readString(log(rank, "out"), StandardCharsets.UTF_8) : "";
    }

    private String err(int rank) throws IOException {
        return Files.exists(log(rank, "err")) ? Files.readString(log(rank, "err"), StandardCharsets.UTF_8) : "";
    }

    private Map<Integer, Integer> awaitAll(Map<Integer, Process> p) throws InterruptedException {
        long deadline = System.nanoTime() + END.toNanos();
        Map<Integer, Integer> status = new LinkedHashMap<>();
        for (Map.Entry<Integer, Process> e : p.entrySet()) {
            long left = deadline - System.nanoTime();
            if (!e.getValue().waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                status.put(e.getKey(), null);
            } else {
                status.put(e.getKey(), e.getValue().exitValue());
            }
        }
        return new java.util.TreeMap<>(status);
    }

    private String report(Set<Integer> ranks) throws IOException {
        StringBuilder sb = new StringBuilder("\n");
        for (int r : new java.util.TreeSet<>(ranks)) {
            sb.append("--- rank ").append(r).append(" stdout:\n").append(out(r));
            sb.append("--- rank ").append(r).append(" stderr:\n").append(err(r));
        }
        return sb.toString();
    }
}
