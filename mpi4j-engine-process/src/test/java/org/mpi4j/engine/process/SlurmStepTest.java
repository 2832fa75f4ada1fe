package org.mpi4j.engine.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.spi.Settings;

/** Which processes count as tasks of a SLURM step, and the rendezvous file they meet through. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SlurmStepTest {
    @TempDir
    Path tmp;

    /** The variables srun gives task {@code rank} of a step of {@code n}, as settings, with {@code more} on top. */
    private static Settings srun(int rank, int n, String... more) {
        Map<String, Object> m = new HashMap<>();
        m.put("slurm.procid", rank);
        m.put("slurm.ntasks", n);
        m.put("slurm.step.num.tasks", n);
        m.put("slurm.job.id", "4242");
        m.put("slurm.step.id", "7");
        m.put("slurm.step.num.nodes", "1");
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], more[i + 1]);
        }
        return Settings.of(m);
    }

    @Test
    void aTaskOfAnSrunStepIsDetected() {
        SlurmStep s = SlurmStep.detect(srun(2, 4));
        assertEquals(2, s.rank());
        assertEquals(4, s.size());
        assertEquals("4242.7", s.name());
        assertEquals("slurm-4242.7", s.shmJobId());
        assertTrue(s.oneNode());
        assertTrue(new ProcessEngineProvider().detected(srun(2, 4)));
    }

    @Test
    void theStepsTaskCountWinsOverTheAllocations() {
        SlurmStep s = SlurmStep.detect(srun(1, 2, "slurm.ntasks", "16"));
        assertEquals(2, s.size());
    }

    @Test
    void aBatchScriptOrInteractiveStepIsNotAStep() {
        // SLURM's reserved step ids: batch 0xfffffffb, extern 0xfffffffc, interactive 0xfffffffa.
        for (String reserved : List.of("4294967291", "4294967292", "4294967290", "batch")) {
            assertNull(SlurmStep.detect(srun(0, 4, "slurm.step.id", reserved)), reserved);
        }
    }

    @Test
    void aStepOfOneTaskRunsOnTheLocalEngine() {
        assertFalse(new ProcessEngineProvider().detected(srun(0, 1)));
    }

    @Test
    void detectionCanBeTurnedOff() {
        assertNull(SlurmStep.detect(srun(0, 4, "mpi4j.slurm", "off")));
        assertFalse(new ProcessEngineProvider().detected(srun(0, 4, "mpi4j.slurm", "off")));
    }

    @Test
    void variablesThatDescribeNoTaskAreAnError() {
        MpiException e = assertThrows(MpiException.class, () -> SlurmStep.detect(srun(4, 4)));
        assertEquals(ErrorClass.ARG, e.errorClass());
        assertTrue(e.getMessage().contains("SLURM_PROCID=4"), e.getMessage());
    }

    @Test
    void theClusterNameKeepsStepsOfClustersSharingAHomeApart() {
        SlurmStep s = SlurmStep.detect(srun(0, 2, "slurm.cluster.name", "big iron"));
        assertEquals("big_iron.4242.7", s.fileName());
        assertEquals("slurm-big_iron-4242.7", s.shmJobId());
    }

    @Test
    void theFileIsWrittenOwnerOnlyAndReadBack() throws Exception {
        Path dir = tmp.resolve("a").resolve("b");
        Settings settings = Settings.of(Map.of(SlurmRendezvousFile.DIR, dir.toString()));
        SlurmRendezvousFile f = SlurmRendezvousFile.of(settings, SlurmStep.detect(srun(0, 2)));
        assertNull(f.read());
        JobSecret secret = JobSecret.generate();
        f.publish("10.1.2.3:4567", secret, "a test");
        assertEquals(dir.resolve("4242.7"), f.path());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path())));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f.path()), s.toList(), "no temporary file is left");
        }
        SlurmRendezvousFile.Contents c = f.await(System.nanoTime() + 1_000_000_000L, Duration.ofSeconds(1));
        assertEquals("10.1.2.3:4567", c.hostPort());
        assertEquals(secret.encoded(), c.secret().encoded());
        f.publish("10.1.2.3:4568", secret, "a test"); // replaced in place
        assertEquals("10.1.2.3:4568", f.read().hostPort());
        f.delete();
        assertNull(f.read());
    }

    @Test
    void anotherStepsFileIsNotTaken() throws Exception {
        Settings settings = Settings.of(Map.of(SlurmRendezvousFile.DIR, tmp.toString()));
        SlurmRendezvousFile f = SlurmRendezvousFile.of(settings, SlurmStep.detect(srun(1, 2)));
        Files.writeString(f.path(), "step=4242.8\nrendezvous=127.0.0.1:1\nsecret=" + JobSecret.generate().encoded());
        MpiException e = assertThrows(MpiException.class,
                () -> f.await(System.nanoTime() + 200_000_000L, Duration.ofMillis(200)));
        assertEquals(ErrorClass.TIMEOUT, e.errorClass());
        assertTrue(e.getMessage().contains(f.path() + " did not appear within")
                && e.getMessage().contains("is not the rendezvous file of step 4242.7"), e.getMessage());
    }

    @Test
    void rankZeroListensOnLoopbackForOneNodeAndOnTheNetworkForSeveral() throws Exception {
        assertTrue(SlurmCoordinator.address(SlurmStep.detect(srun(0, 2)), srun(0, 2)).isLoopbackAddress());
        Settings twoNodes = srun(0, 2, "slurm.step.num.nodes", "2");
        java.net.InetAddress a = SlurmCoordinator.address(SlurmStep.detect(twoNodes), twoNodes);
        boolean network = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .anyMatch(n -> {
                    try {
                        return n.isUp() && !n.isLoopback() && n.getInetAddresses().hasMoreElements();
                    } catch (java.net.SocketException e) {
                        return false;
                    }
                });
        assertEquals(network, !a.isLoopbackAddress(), a.toString());
        Settings configured = srun(0, 2, "slurm.step.num.nodes", "2", SlurmCoordinator.ADDRESS, "127.0.0.2");
        assertEquals("127.0.0.2", SlurmCoordinator.address(SlurmStep.detect(configured), configured).getHostAddress());
    }

    @Test
    void theDefaultDirectoryIsUnderHome() {
        Path d = SlurmRendezvousFile.directory(Settings.of(Map.of()));
        assertTrue(d.endsWith(Path.of(".mpi4j", "slurm")), d.toString());
    }
}
