package org.mpi4j.engine.local;

import java.util.concurrent.atomic.AtomicBoolean;
import org.mpi4j.Codec;
import org.mpi4j.JobAbortedException;
import org.mpi4j.ThreadLevel;
import org.mpi4j.matching.Endpoint;
import org.mpi4j.coll.P2pCollectives;
import org.mpi4j.spi.CollectiveSpi;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.Progress;
import org.mpi4j.spi.RankSpi;

/** One rank of a local job. */
final class LocalRank implements RankSpi {
    private final LocalJobSpi job;
    private final int rank;
    private final Endpoint endpoint;
    private final CommSpi world;
    private final CommSpi self;
    private final AtomicBoolean closed = new AtomicBoolean();

    LocalRank(LocalJobSpi job, int rank, Endpoint endpoint) {
        this.job = job;
        this.rank = rank;
        this.endpoint = endpoint;
        this.world = endpoint.comm(Endpoint.WORLD_CONTEXT, null, "WORLD");
        this.self = endpoint.comm(Endpoint.SELF_CONTEXT, new int[] {rank}, "SELF");
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return job.size();
    }

    @Override
    public String engineName() {
        return "local";
    }

    @Override
    public String processorName() {
        return job.processorName();
    }

    @Override
    public ThreadLevel threadLevel() {
        return ThreadLevel.MULTIPLE;
    }

    @Override
    public Codec codec() {
        return job.codec();
    }

    @Override
    public Progress progress() {
        return endpoint;
    }

    @Override
    public CollectiveSpi collectives(CommSpi comm) {
        return new P2pCollectives(comm.collectiveView(), endpoint, job.settings());
    }

    @Override
    public CommSpi world() {
        return world;
    }

    @Override
    public CommSpi self() {
        return self;
    }

    @Override
    public int allocateContext() {
        return endpoint.allocateContext();
    }

    @Override
    public double wtime() {
        return System.nanoTime() / 1e9;
    }

    @Override
    public double wtick() {
        return 1e-9;
    }

    @Override
    public JobAbortedException abort(int errorCode, Throwable cause) {
        String message = cause == null
                ? "the job was aborted: rank " + rank + " called abort(" + errorCode + ")"
                : "the job was aborted: rank " + rank + " failed: " + cause;
        job.abort(new JobAbortedException(rank, errorCode, message, cause));
        JobAbortedException f = job.failure();
        return new JobAbortedException(f.failedRank(), f.errorCode(), f.getMessage(), f.getCause());
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            endpoint.close();
            job.rankClosed();
        }
    }

    @Override
    public String toString() {
        return "LocalRank[" + rank + " of " + job.size() + "]";
    }
}
