package org.mpi4j.matching;

import java.util.function.Function;
import org.mpi4j.Buf;
import org.mpi4j.Status;
import org.mpi4j.spi.AbstractRequest;
import org.mpi4j.spi.MessageSpi;

/** A message claimed by a matched probe; the API layer makes sure it is received once. */
final class MatchedMessage implements MessageSpi {
    private final Endpoint ep;
    private final MatchingComm comm;
    private final Unexpected u;

    MatchedMessage(Endpoint ep, MatchingComm comm, Unexpected u) {
        this.ep = ep;
        this.comm = comm;
        this.u = u;
    }

    @Override
    public Status status() {
        return u.status();
    }

    @Override
    public AbstractRequest<Status> irecv(Buf buf) {
        ep.checkUsable();
        RecvRequest<Status> r = new RecvRequest<>(ep, comm, u.source, u.tag, u.peer, buf, null, "mrecv");
        r.matchedUnexpected(u);
        return r;
    }

    @Override
    public <T> AbstractRequest<T> irecvAny(Function<? super Buf, ? extends T> decoder) {
        ep.checkUsable();
        RecvRequest<T> r = new RecvRequest<>(ep, comm, u.source, u.tag, u.peer, null, decoder, "mrecv");
        r.matchedUnexpected(u);
        return r;
    }
}
