package org.mpi4j.engine.local;

import org.mpi4j.spi.EngineProvider;
import org.mpi4j.spi.JobSpi;
import org.mpi4j.spi.RankSpi;
import org.mpi4j.spi.Settings;

/** The local engine's entry for {@link java.util.ServiceLoader}. */
public final class LocalEngineProvider implements EngineProvider {

    /** Creates the provider; called by {@link java.util.ServiceLoader}. */
    public LocalEngineProvider() {
    }

    @Override
    public String name() {
        return "local";
    }

    /** The local engine has no launcher of its own to detect: it is what applies when nothing else does. */
    @Override
    public boolean detected(Settings settings) {
        return false;
    }

    /** A program run plainly is a job of one rank. */
    @Override
    public RankSpi attach(Settings settings) {
        return new LocalJobSpi(1, settings).rank(0);
    }

    @Override
    public JobSpi createJob(int ranks, Settings settings) {
        return new LocalJobSpi(ranks, settings);
    }
}
