package org.mpi4j.matching;

import org.mpi4j.Buf;
import org.mpi4j.Status;
import org.mpi4j.spi.AbstractRequest;

/** A send: complete at once when eager; a rendezvous send completes when the receiver has its data. */
final class SendRequest extends AbstractRequest<Status> {
    final Endpoint ep;
    final MatchingComm comm;
    final int dest;
    final int peer;
    final int tag;
    final Buf buf;
    final boolean sync;
    /** The rendezvous id, set under the endpoint's lock; 0 for eager sends. */
    long sendId;

    SendRequest(Endpoint ep, MatchingComm comm, int dest, int peer, int tag, Buf buf, boolean sync) {
        super(ep);
        this.ep = ep;
        this.comm = comm;
        this.dest = dest;
        this.peer = peer;
        this.tag = tag;
        this.buf = buf;
        this.sync = sync;
    }

    @Override
    public void cancel() {
        if (sendId != 0) {
            ep.cancelSend(this);
        }
    }

    @Override
    public String describe() {
        return (sync ? "ssend" : "send") + "(dest=" + dest + ", tag=" + tag + ", " + buf.byteSize() + " bytes) on "
                + comm.name() + (sendId != 0 && !isComplete() ? " [waiting for the receiver]" : "");
    }
}
