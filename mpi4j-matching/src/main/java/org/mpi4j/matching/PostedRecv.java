package org.mpi4j.matching;

import java.util.function.Function;
import org.mpi4j.Buf;
import org.mpi4j.spi.AbstractRequest;
import org.mpi4j.transport.Frame;

/** Something posted in a context's receive queues: a receive, or a blocking matched probe. */
abstract class PostedRecv<T> extends AbstractRequest<T> {
    final Endpoint ep;
    final MatchingComm comm;
    final int source;
    final int tag;
    /** The world rank of the source, or -1 for ANY_SOURCE. */
    final int peer;
    /** Post order, set under the endpoint's lock. */
    long seq;

    PostedRecv(Endpoint ep, MatchingComm comm, int source, int tag, int peer, Function<? super Buf, ? extends T> decoder) {
        super(ep, decoder);
        this.ep = ep;
        this.comm = comm;
        this.source = source;
        this.tag = tag;
        this.peer = peer;
    }

    /** Matched by an arriving EAGER or RTS frame; runs outside the lock, during delivery. */
    abstract void matchedArrival(int fromPeer, Frame f, Buf payload, long payloadOffset);

    /** Matched to a message that had arrived before; runs outside the lock. */
    abstract void matchedUnexpected(Unexpected u);

    @Override
    public void cancel() {
        ep.cancelPosted(this);
    }

    String where() {
        return "(source=" + sourceName(source) + ", tag=" + tagName(tag) + ") on " + comm.name();
    }

    /** A source as a reader of a diagnostic wants it: a number, or ANY_SOURCE. */
    static String sourceName(int source) {
        return source == org.mpi4j.Mpi.ANY_SOURCE ? "ANY_SOURCE" : Integer.toString(source);
    }

    /** A tag as a reader of a diagnostic wants it: a number, or ANY_TAG. */
    static String tagName(int tag) {
        return tag == org.mpi4j.Mpi.ANY_TAG ? "ANY_TAG" : Integer.toString(tag);
    }
}
