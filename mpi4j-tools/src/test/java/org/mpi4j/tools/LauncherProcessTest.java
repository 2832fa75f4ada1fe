package org.mpi4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code mpi4j run} as a process of its own, as from a terminal: its standard input is an
 * open pipe. Ctrl-C (SIGINT) and SIGTERM stop every rank and remove the job's shared memory,
 * whatever the ranks are doing, and the launcher exits with the signal's status (128 + its
 * number), as mpirun does. Input typed while the job runs reaches rank 0, and a job that ends
 * while its input is still open ends the launcher too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LauncherProcessTest {
    private static final int RANKS = 3;

    private static Process launch(int ranks, String app) throws IOException {
        String cp = System.getProperty("java.class.path");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(javaBin.toString(), "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                Mpi4j.class.getName(), "run", "--engine", "process", "-n", Integer.toString(ranks), "-cp", cp,
                "org.mpi4j.tools.apps." + app).redirectErrorStream(true).start();
    }

    @Test
    void inputReachesRankZeroAndAnOpenInputDoesNotHoldTheLauncher() throws Exception {
        Process launcher = launch(2, "EchoesInput");
        try {
            // typed after the job has started, and never closed
            Thread.sleep(300);
            launcher.getOutputStream().write("typed while running\n".getBytes(StandardCharsets.UTF_8));
            launcher.getOutputStream().flush();
            assertTrue(launcher.waitFor(60, TimeUnit.SECONDS), "the launcher outlived its job");
            String out = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, launcher.exitValue(), out);
            assertEquals(Set.of("rank 0 read typed while running", "rank 1 read null"), Set.copyOf(out.lines().toList()),
                    out);
        } finally {
            launcher.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void aSignalToTheLauncherStopsEveryRank(String signal) throws Exception {
        List<String> shmBefore = shmJobDirs();
        Process launcher = launch(RANKS, "ReadyThenHangs");
        Set<String> ready = ConcurrentHashMap.newKeySet();
        List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(launcher.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    if (line.endsWith(" ready")) {
                        ready.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the launcher is gone
            }
        });
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (ready.size() < RANKS && launcher.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(RANKS, ready.size(), () -> "the ranks did not all start: " + output);
            String jobDir = shmJobDirs().stream().filter(d -> !shmBefore.contains(d)).findFirst().orElse(null);
            List<ProcessHandle> ranks = launcher.toHandle().descendants().toList();
            assertTrue(ranks.size() >= RANKS, () -> "the launcher has " + ranks.size() + " child processes");

            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(launcher.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -" + signal + " failed");

            assertTrue(launcher.waitFor(20, TimeUnit.SECONDS), () -> "the launcher ignored SIG" + signal + ": " + output);
            int number = signal.equals("INT") ? 2 : 15;
            assertEquals(128 + number, launcher.exitValue(), () -> "exit status after SIG" + signal + ": " + output);
            for (ProcessHandle rank : ranks) {
                rank.onExit().get(10, TimeUnit.SECONDS); // at most the launcher's kill, not a hang
                assertFalse(rank.isAlive(), () -> "rank process " + rank.pid() + " outlived its launcher");
            }
            if (jobDir != null) {
                assertFalse(Files.exists(Path.of(jobDir)), "the job's shared-memory directory " + jobDir + " remains");
            }
            reader.join(5_000);
        } finally {
            launcher.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
        }
    }

    private static List<String> shmJobDirs() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(shm)) {
            return s.filter(p -> p.getFileName().toString().matches("mpi4j-[0-9a-f]{8}-[0-9a-f]{3}"))
                    .map(Path::toString).toList();
        }
    }
}
