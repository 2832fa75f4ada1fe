package org.mpi4j.spi;

/**
 * An engine, found through {@link java.util.ServiceLoader}: local (ranks as threads of one
 * JVM), process (one JVM per rank) or native (an installed MPI library).
 */
public interface EngineProvider {

    /** Returns the engine's name, as used by the {@code mpi4j.engine} setting: "local", "process", "native". */
    String name();

    /**
     * Returns whether this process was started as a rank of this engine's job (for example,
     * its launcher's variables are in the environment), so {@code Mpi.init} should join it.
     */
    boolean detected(Settings settings);

    /**
     * Returns which engine wins when several detect their launcher: the highest. A native
     * MPI launcher's variables ({@code mpirun}, {@code mpiexec}) outrank a SLURM step's, which
     * any {@code srun} sets, so the native engine answers 10 and the others 0.
     */
    default int priority() {
        return 0;
    }

    /** Joins the job this process belongs to, for {@code Mpi.init}. */
    RankSpi attach(Settings settings);

    /**
     * Creates a job of {@code ranks} ranks inside this JVM, for {@code Mpi.local(n)}.
     *
     * @throws UnsupportedOperationException if the engine cannot host ranks in one JVM
     */
    JobSpi createJob(int ranks, Settings settings);
}
