package org.mpi4j.engine.libmpi;

import java.util.concurrent.atomic.AtomicReference;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.spi.EngineProvider;
import org.mpi4j.spi.JobSpi;
import org.mpi4j.spi.RankSpi;
import org.mpi4j.spi.Settings;

/**
 * The native engine's entry for {@link java.util.ServiceLoader}: every rank on an installed
 * MPI library, started by that library's launcher — Open MPI's {@code mpirun}, MPICH's or
 * Intel MPI's {@code mpiexec} (Hydra), or {@code srun} with a PMI plugin.
 */
public final class NativeEngineProvider implements EngineProvider {
    /** This process's rank, once initialized: MPI is initialized once per process. */
    private static final AtomicReference<NativeRank> ATTACHED = new AtomicReference<>();

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public NativeEngineProvider() {
    }

    @Override
    public String name() {
        return "native";
    }

    /**
     * A native launcher's variables: Open MPI's ({@code OMPI_COMM_WORLD_SIZE}), PMIx's
     * ({@code PMIX_RANK}), or PMI's, which Hydra and SLURM's PMI plugins set
     * ({@code PMI_RANK}, {@code PMI_SIZE}, {@code PMI_FD}); not when {@code mpi4j run}
     * started the process engine.
     */
    @Override
    public boolean detected(Settings s) {
        if (s.get("mpi4j.rendezvous", null) != null) {
            return false;
        }
        return s.get("ompi.comm.world.size", null) != null || s.get("pmix.rank", null) != null
                || s.get("pmi.rank", null) != null || s.get("pmi.size", null) != null || s.get("pmi.fd", null) != null;
    }

    /** Above the process engine's SLURM detection: an MPI launcher's variables say more than srun's. */
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public RankSpi attach(Settings settings) {
        synchronized (ATTACHED) {
            NativeRank r = ATTACHED.get();
            if (r == null) {
                r = NativeRank.attach(settings);
                ATTACHED.set(r);
            }
            return r;
        }
    }

    @Override
    public JobSpi createJob(int ranks, Settings settings) {
        throw new MpiException(ErrorClass.UNSUPPORTED, "the native engine runs one rank per process, started by"
                + " the MPI library's launcher (mpirun, mpiexec, srun); Mpi.local(n) runs ranks as threads");
    }
}
