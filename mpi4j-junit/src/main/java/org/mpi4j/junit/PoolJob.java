package org.mpi4j.junit;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.mpi4j.engine.process.ProcessJob;

/**
 * The JVMs of a {@link ProcessPool}, however they were started: by mpi4j's launcher
 * ({@link ProcessJob}), or by an installed MPI's own ({@code mpirun.openmpi},
 * {@code mpiexec.hydra}) for the native engine.
 */
interface PoolJob {

    /** The job's first failure, or null while every rank is well. */
    ProcessJob.Failure failure();

    /** Whether every rank is still running. */
    boolean running();

    /** Waits up to {@code timeout} for the job to end. */
    void awaitExit(Duration timeout) throws InterruptedException;

    /** What each rank is blocked in, by rank, from those that answer within {@code wait}. */
    Map<Integer, String> dump(Duration wait) throws InterruptedException;

    /** Ends the job: kills whatever is left. */
    void close();

    /** A job of mpi4j's process engine. */
    static PoolJob of(ProcessJob job) {
        return new PoolJob() {
            @Override
            public ProcessJob.Failure failure() {
                return job.failure();
            }

            @Override
            public boolean running() {
                return job.exitStatuses().values().stream().allMatch(v -> v == null);
            }

            @Override
            public void awaitExit(Duration timeout) throws InterruptedException {
                job.awaitExit(timeout);
            }

            @Override
            public Map<Integer, String> dump(Duration wait) throws InterruptedException {
                return job.dump(wait);
            }

            @Override
            public void close() {
                job.close();
            }
        };
    }

    /**
     * The launcher command of an MPI family ({@code openmpi} or {@code mpich}) for
     * {@code ranks} ranks, or null if it is not installed here.
     */
    static List<String> mpiLauncher(String family, int ranks) {
        String tool = family.equals("openmpi") ? "mpirun.openmpi" : "mpiexec.hydra";
        String path = System.getenv("PATH");
        boolean found = path != null && Stream.of(path.split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
        if (!found) {
            return null;
        }
        List<String> cmd = new ArrayList<>(List.of(tool));
        if (family.equals("openmpi")) {
            cmd.add("--oversubscribe");
            if ("root".equals(System.getProperty("user.name"))) {
                cmd.add("--allow-run-as-root");
            }
        }
        cmd.add("-n");
        cmd.add(Integer.toString(ranks));
        return cmd;
    }

    /**
     * Starts {@code mainClass} on {@code ranks} JVMs through an MPI's launcher, on this JVM's
     * class path; their output goes to this JVM's, each line tagged as the launcher tags it.
     */
    static PoolJob startNative(String family, int ranks, String mainClass, List<String> args, List<String> jvmOptions)
            throws IOException {
        List<String> cmd = mpiLauncher(family, ranks);
        if (cmd == null) {
            throw new IOException("the " + family + " launcher is not installed");
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("--add-opens=java.base/java.lang.invoke=ALL-UNNAMED");
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        Thread.ofPlatform().daemon().name("mpi4j-native-pool-output").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    System.out.println("[" + family + "] " + line);
                }
            } catch (IOException ignored) {
                // the launcher is gone
            }
        });
        return new PoolJob() {
            @Override
            public ProcessJob.Failure failure() {
                if (p.isAlive()) {
                    return null;
                }
                int status = p.exitValue();
                return status == 0 ? null : new ProcessJob.Failure(-1, status, "ended: " + cmd.getFirst()
                        + " exited with status " + status);
            }

            @Override
            public boolean running() {
                return p.isAlive();
            }

            @Override
            public void awaitExit(Duration timeout) throws InterruptedException {
                p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }

            /** MPI's ranks have no channel to ask them on while a test runs: none answers. */
            @Override
            public Map<Integer, String> dump(Duration wait) {
                return Map.of();
            }

            @Override
            public void close() {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }
}
