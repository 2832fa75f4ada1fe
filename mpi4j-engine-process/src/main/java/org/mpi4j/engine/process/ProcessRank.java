package org.mpi4j.engine.process;

import java.util.concurrent.atomic.AtomicBoolean;
import org.mpi4j.Codec;
import org.mpi4j.JobAbortedException;
import org.mpi4j.ThreadLevel;
import org.mpi4j.coll.P2pCollectives;
import org.mpi4j.matching.Endpoint;
import org.mpi4j.spi.CollectiveSpi;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.Progress;
import org.mpi4j.spi.RankSpi;
import org.mpi4j.spi.Settings;

/** This process's rank in a job of the process engine. */
final class ProcessRank implements RankSpi {
    private final int rank;
    private final int size;
    private final String processorName;
    private final Settings settings;
    private final Codec codec;
    private final Endpoint endpoint;
    private final CommSpi world;
    private final CommSpi self;
    private final ControlClient control;
    private final AutoCloseable transports;
    private final boolean keepControlOpen;
    private final AtomicBoolean closed = new AtomicBoolean();

    ProcessRank(int rank, int size, String processorName, Settings settings, Codec codec, Endpoint endpoint,
            ControlClient control, AutoCloseable transports, boolean keepControlOpen) {
        this.rank = rank;
        this.size = size;
        this.processorName = processorName;
        this.settings = settings;
        this.codec = codec;
        this.endpoint = endpoint;
        this.control = control;
        this.transports = transports;
        this.keepControlOpen = keepControlOpen;
        this.world = endpoint.comm(Endpoint.WORLD_CONTEXT, null, "WORLD");
        this.self = endpoint.comm(Endpoint.SELF_CONTEXT, new int[] {rank}, "SELF");
    }

    Endpoint endpoint() {
        return endpoint;
    }

    ControlClient control() {
        return control;
    }

    /** Whether this rank has finalized. */
    boolean finalized() {
        return closed.get();
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String engineName() {
        return "process";
    }

    @Override
    public String processorName() {
        return processorName;
    }

    @Override
    public ThreadLevel threadLevel() {
        return ThreadLevel.MULTIPLE;
    }

    @Override
    public Codec codec() {
        return codec;
    }

    @Override
    public Progress progress() {
        return endpoint;
    }

    @Override
    public CollectiveSpi collectives(CommSpi comm) {
        return new P2pCollectives(comm.collectiveView(), endpoint, settings);
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
        JobAbortedException e = new JobAbortedException(rank, errorCode, message, cause);
        endpoint.abort(e);
        control.sendAbort(errorCode, cause == null ? "called abort(" + errorCode + ")" : "failed: " + cause);
        JobAbortedException f = endpoint.failure();
        return new JobAbortedException(f.failedRank(), f.errorCode(), f.getMessage(), f.getCause());
    }

    /** The launcher says the job is aborted because rank {@code failed} failed. */
    void aborted(int failed, int code, String reason) {
        endpoint.abort(new JobAbortedException(failed, code, "the job was aborted: " + reason, null));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        endpoint.close();
        control.sendFinalized();
        try {
            transports.close();
        } catch (Exception ignored) {
            // finalizing: nothing more to say to anyone
        }
        if (keepControlOpen) {
            control.detach();
        } else {
            control.close();
        }
    }

    @Override
    public String toString() {
        return "ProcessRank[" + rank + " of " + size + "]";
    }
}
