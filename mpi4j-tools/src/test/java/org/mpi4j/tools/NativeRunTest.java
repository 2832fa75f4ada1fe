package org.mpi4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code mpi4j run --engine native}: the installed MPI's launcher starts the ranks, which join the native engine. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NativeRunTest {

    @ParameterizedTest
    @ValueSource(strings = {"mpirun.openmpi", "mpiexec.hydra"})
    void theInstalledLauncherStartsTheRanks(String launcher) {
        Assumptions.assumeTrue(Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d,
                launcher))), launcher + " is not installed (apt-get install openmpi-bin mpich)");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = new Mpi4j(java.io.InputStream.nullInputStream(), o, e, Map.of("MPI4J_MPIRUN", launcher,
                    "MPI4J_MPIRUN_OPTS", launcher.contains("openmpi") ? "--oversubscribe" : ""))
                    .execute("run", "--engine", "native", "-n", "3", "-x", "GREETING=hi", "-cp",
                            System.getProperty("java.class.path"), "org.mpi4j.tools.apps.ShowsEngine");
        }
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text + err.toString(StandardCharsets.UTF_8));
        for (int r = 0; r < 3; r++) {
            assertTrue(text.contains("rank " + r + " of 3 on native says hi"), text);
        }
    }
}
