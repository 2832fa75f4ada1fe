package org.mpi4j.engine.process;

import java.util.concurrent.atomic.AtomicReference;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.spi.EngineProvider;
import org.mpi4j.spi.JobSpi;
import org.mpi4j.spi.RankSpi;
import org.mpi4j.spi.Settings;

/**
 * The process engine's entry for {@link java.util.ServiceLoader}: one JVM per rank, started
 * either by {@code mpi4j run --engine process}, which puts the job's rendezvous and secret in
 * each rank's environment ({@link ProcessEnv}), or by SLURM's {@code srun}, whose tasks find
 * each other through rank 0 ({@link SlurmStep}, {@link SlurmJoin}).
 */
public final class ProcessEngineProvider implements EngineProvider {
    /**
     * This process's rank, once joined. A process is one rank of one job, as an MPI process
     * is: the one place the engine keeps state for the whole process.
     */
    private static final AtomicReference<ProcessRank> JOINED = new AtomicReference<>();

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public ProcessEngineProvider() {
    }

    @Override
    public String name() {
        return "process";
    }

    /**
     * A rank started by the launcher has the rendezvous in its environment; a task of a
     * SLURM step of two or more tasks has {@code SLURM_PROCID}, {@code SLURM_NTASKS},
     * {@code SLURM_JOB_ID} and {@code SLURM_STEP_ID} (a step of one task runs on the local
     * engine, as any program started alone).
     */
    @Override
    public boolean detected(Settings settings) {
        if (launched(settings)) {
            return true;
        }
        try {
            SlurmStep step = SlurmStep.detect(settings);
            return step != null && step.size() > 1;
        } catch (MpiException e) {
            return true; // SLURM's variables are there but wrong: let attach say so
        }
    }

    @Override
    public RankSpi attach(Settings settings) {
        synchronized (JOINED) {
            ProcessRank r = JOINED.get();
            if (r == null) {
                SlurmStep step = launched(settings) ? null : SlurmStep.detect(settings);
                r = step != null ? SlurmJoin.join(settings, step) : ProcessJoin.join(settings);
                JOINED.set(r);
            }
            return r;
        }
    }

    /** Whether {@code mpi4j run} started this process: its rendezvous is in the environment. */
    private static boolean launched(Settings settings) {
        return settings.get(ProcessEnv.setting(ProcessEnv.RENDEZVOUS), null) != null;
    }

    /** The process engine runs one rank per JVM; {@code Mpi.local} is the local engine's. */
    @Override
    public JobSpi createJob(int ranks, Settings settings) {
        throw new MpiException(ErrorClass.UNSUPPORTED, "the process engine runs one rank per JVM: start the job"
                + " with mpi4j run --engine process or srun, or use Mpi.local(n) for ranks as threads");
    }
}
