package org.mpi4j.engine.libmpi;

import java.util.function.Function;
import org.mpi4j.Buf;
import org.mpi4j.Status;
import org.mpi4j.spi.AbstractRequest;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.MessageSpi;

/**
 * A communicator of the native engine: its point-to-point traffic goes through mpi4j's
 * matching (over MPI, {@link MpiTransport}), and it has an MPI twin — a communicator of the
 * library with the same ranks in the same order — on which its collectives run.
 */
final class NativeComm implements CommSpi {
    private final NativeRank owner;
    private final CommSpi inner;
    private final long mpiComm;
    private final boolean predefined;

    NativeComm(NativeRank owner, CommSpi inner, long mpiComm, boolean predefined) {
        this.owner = owner;
        this.inner = inner;
        this.mpiComm = mpiComm;
        this.predefined = predefined;
    }

    /** The MPI communicator its collectives run on. */
    long mpiComm() {
        return mpiComm;
    }

    @Override
    public int rank() {
        return inner.rank();
    }

    @Override
    public int size() {
        return inner.size();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public int worldRank(int rank) {
        return inner.worldRank(rank);
    }

    @Override
    public int context() {
        return inner.context();
    }

    @Override
    public CommSpi collectiveView() {
        return inner.collectiveView();
    }

    /** The new communicator, and its MPI twin made from the same world ranks ({@code MPI_Comm_create_group}). */
    @Override
    public CommSpi create(int[] members, int[] contexts, String name) {
        CommSpi created = inner.create(members, contexts, name);
        long twin = owner.createMpiComm(members, contexts.length > 0 ? contexts[0] : 0);
        return new NativeComm(owner, created, twin, false);
    }

    @Override
    public void free() {
        inner.free();
        if (!predefined) {
            owner.freeMpiComm(mpiComm);
        }
    }

    @Override
    public void send(Buf buf, int dest, int tag, boolean sync) {
        inner.send(buf, dest, tag, sync);
    }

    @Override
    public AbstractRequest<Status> isend(Buf buf, int dest, int tag, boolean sync) {
        return inner.isend(buf, dest, tag, sync);
    }

    @Override
    public Status recv(Buf buf, int source, int tag) {
        return inner.recv(buf, source, tag);
    }

    @Override
    public AbstractRequest<Status> irecv(Buf buf, int source, int tag) {
        return inner.irecv(buf, source, tag);
    }

    @Override
    public <T> AbstractRequest<T> irecvAny(int source, int tag, Function<? super Buf, ? extends T> decoder) {
        return inner.irecvAny(source, tag, decoder);
    }

    @Override
    public Status probe(int source, int tag) {
        return inner.probe(source, tag);
    }

    @Override
    public Status iprobe(int source, int tag) {
        return inner.iprobe(source, tag);
    }

    @Override
    public MessageSpi mprobe(int source, int tag) {
        return inner.mprobe(source, tag);
    }

    @Override
    public MessageSpi improbe(int source, int tag) {
        return inner.improbe(source, tag);
    }

    @Override
    public String toString() {
        return "NativeComm[" + inner.name() + "]";
    }
}
