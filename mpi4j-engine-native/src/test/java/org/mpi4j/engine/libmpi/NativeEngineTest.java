package org.mpi4j.engine.libmpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The native engine under the launchers of the two MPI families Debian ships: Open MPI's
 * {@code mpirun.openmpi} and MPICH's {@code mpiexec.hydra}, at 2 and 3 ranks. Each run is a
 * job of JVMs started by the MPI launcher, as on a cluster: {@link NativeCheck} (point-to-point,
 * every kind of collective, user operations, communicators), and two of the seed's programs
 * whose output says whether they are right. A launcher that does not belong to the loaded
 * library must fail loudly, not run every rank alone.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class NativeEngineTest {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    static Stream<Arguments> launchers() {
        List<Arguments> out = new ArrayList<>();
        for (int n : new int[] {2, 3}) {
            out.add(Arguments.of("Open MPI", n));
            out.add(Arguments.of("MPICH", n));
        }
        return out.stream();
    }

    private static List<String> launcher(String family, int ranks) {
        List<String> cmd = new ArrayList<>();
        if (family.equals("Open MPI")) {
            cmd.add("mpirun.openmpi");
            cmd.add("--oversubscribe");
            if (ROOT) {
                cmd.add("--allow-run-as-root");
            }
        } else {
            cmd.add("mpiexec.hydra");
        }
        cmd.add("-n");
        cmd.add(Integer.toString(ranks));
        return cmd;
    }

    private static void assumeInstalled(String family) {
        String tool = family.equals("Open MPI") ? "mpirun.openmpi" : "mpiexec.hydra";
        boolean found = Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
        Assumptions.assumeTrue(found, tool + " is not installed: apt-get install "
                + (family.equals("Open MPI") ? "openmpi-bin libopenmpi-dev" : "mpich libmpich-dev"));
    }

    record Result(int status, String out) {
    }

    static Result run(List<String> launcher, String mainClass, String... env) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("--add-opens=java.base/java.lang.invoke=ALL-UNNAMED");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        for (int i = 0; i + 1 < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        Process p = pb.start();
        p.getOutputStream().close();
        StringBuilder out = new StringBuilder();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the launcher is gone
            }
        });
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            reader.join(5_000);
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 240 s:\n" + out);
        }
        reader.join(10_000);
        return new Result(p.exitValue(), out.toString());
    }

    @ParameterizedTest(name = "{0}, {1} ranks")
    @MethodSource("launchers")
    void everyKindOfOperationIsRight(String family, int ranks) throws Exception {
        assumeInstalled(family);
        Result r = run(launcher(family, ranks), NativeCheck.class.getName());
        assertEquals(0, r.status(), r.out());
        for (int i = 0; i < ranks; i++) {
            assertTrue(r.out().contains("native check passed on rank " + i + " of " + ranks), r.out());
        }
    }

    @ParameterizedTest(name = "{0}, {1} ranks")
    @MethodSource("launchers")
    void theSeedsProgramsRunUnchanged(String family, int ranks) throws Exception {
        assumeInstalled(family);
        Result hello = run(launcher(family, ranks), "org.mpi4j.examples.HelloMpi");
        assertEquals(0, hello.status(), hello.out());
        for (int i = 0; i < ranks; i++) {
            assertTrue(hello.out().contains("Hello from process " + i + " of " + ranks), hello.out());
        }
        assertTrue(hello.out().contains("Process 1 received: Hello from process 0!"), hello.out());
        Result heat = run(launcher(family, ranks), "org.mpi4j.examples.HeatDiffusion");
        assertEquals(0, heat.status(), heat.out());
        assertTrue(heat.out().contains("Identical to the serial solver, bit for bit: yes"), heat.out());
    }

    @Test
    void aLauncherOfAnotherMpiFailsLoudly() throws Exception {
        assumeInstalled("MPICH");
        assumeInstalled("Open MPI");
        // MPICH's launcher, Open MPI's library: each rank would silently be a world of one.
        Result r = run(launcher("MPICH", 2), NativeCheck.class.getName(), "MPI4J_NATIVE_LIBRARY", "libmpi.so.40");
        assertNotEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("the launcher started 2 ranks but libmpi.so.40 (Open MPI"), r.out());
        assertTrue(r.out().contains("another MPI's launcher"), r.out());
    }
}
