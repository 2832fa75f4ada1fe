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
    /** The context each member receives on, by rank; null when all use {@link #context}. */
    private final int[] peerContexts;
    private final String name;
    private volatile MatchingComm collectiveView;

    MatchingComm(Endpoint ep, int context, int rank, int size, int[] members, int[] peerContexts, String name) {
        this.ep = ep;
        this.context = context;
        this.rank = rank;
        this.size = size;
        this.members = members;
        this.peerContexts = peerContexts;
        this.name = name;
    }

    /** Returns the context that communicator rank {@code r} receives this communicator's traffic on. */
    int sendContext(int r) {
        return peerContexts == null ? context : peerContexts[r];
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
    public int worldRank(int r) {
        return peer(r);
    }

    @Override
    public int context() {
        return context;
    }

    @Override
    public CommSpi collectiveView() {
        MatchingComm v = collectiveView;
        if (v == null) {
            int[] next = null;
            if (peerContexts != null) {
                next = new int[peerContexts.length];
                for (int i = 0; i < next.length; i++) {
                    next[i] = peerContexts[i] + 1;
                }
            }
            v = new MatchingComm(ep, context + 1, rank, size, members, next, name + "/collective");
            collectiveView = v;
        }
        return v;
    }

    @Override
    public CommSpi create(int[] newMembers, int[] contexts, String newName) {
        int me = -1;
        for (int i = 0; i < newMembers.length; i++) {
            if (newMembers[i] == ep.worldRank) {
                me = i;
            }
        }
        return ep.comm(contexts[me], newMembers, contexts, newName);
    }

    @Override
    public void free() {
        ep.dropContext(context);
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
