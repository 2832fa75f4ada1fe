package org.mpi4j.matching;

import java.util.function.Function;
import org.mpi4j.Buf;
import org.mpi4j.Status;
import org.mpi4j.spi.AbstractRequest;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.MessageSpi;

/** A communicator over an {@link Endpoint}: a context id and a map from its ranks to world ranks. */
final class MatchingComm implements CommSpi {
    final Endpoint ep;
    final int context;
    private final int rank;
    private final int size;
    private final int[] members;
    private final String name;

    MatchingComm(Endpoint ep, int context, int rank, int size, int[] members, String name) {
        this.ep = ep;
        this.context = context;
        this.rank = rank;
        this.size = size;
        this.members = members;
        this.name = name;
    }

    /** Returns the world rank of communicator rank {@code r}. */
    int peer(int r) {
        return members == null ? r : members[r];
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
    public String name() {
        return name;
    }

    @Override
    public void send(Buf buf, int dest, int tag, boolean sync) {
        ep.send(this, buf, dest, tag, sync);
    }

    @Override
    public AbstractRequest<Status> isend(Buf buf, int dest, int tag, boolean sync) {
        return ep.isend(this, buf, dest, tag, sync);
    }

    @Override
    public Status recv(Buf buf, int source, int tag) {
        return ep.<Status>irecv(this, buf, source, tag, null, "recv").waitFor();
    }

    @Override
    public AbstractRequest<Status> irecv(Buf buf, int source, int tag) {
        return ep.irecv(this, buf, source, tag, null, "irecv");
    }

    @Override
    public <T> AbstractRequest<T> irecvAny(int source, int tag, Function<? super Buf, ? extends T> decoder) {
        return ep.irecv(this, null, source, tag, decoder, "recv");
    }

    @Override
    public Status probe(int source, int tag) {
        return ep.probe(this, source, tag);
    }

    @Override
    public Status iprobe(int source, int tag) {
        return ep.iprobe(this, source, tag);
    }

    @Override
    public MessageSpi mprobe(int source, int tag) {
        return ep.mprobe(this, source, tag);
    }

    @Override
    public MessageSpi improbe(int source, int tag) {
        return ep.improbe(this, source, tag);
    }

    @Override
    public String toString() {
        return name + "[rank " + rank + " of " + size + ", context " + context + "]";
    }
}
