package org.mpi4j.matching;

import org.mpi4j.Buf;
import org.mpi4j.Status;
import org.mpi4j.transport.Frame;

/** A blocking matched probe, posted like a receive: it claims the message without receiving it. */
final class MprobeRequest extends PostedRecv<Status> {
    volatile Unexpected message;

    MprobeRequest(Endpoint ep, MatchingComm comm, int source, int tag, int peer) {
        super(ep, comm, source, tag, peer, null);
    }

    @Override
    void matchedArrival(int fromPeer, Frame f, Buf payload, long payloadOffset) {
        matchedUnexpected(Unexpected.of(fromPeer, f, payload, payloadOffset));
    }

    @Override
    void matchedUnexpected(Unexpected u) {
        message = u;
        complete(u.status());
    }

    @Override
    public String describe() {
        return "mprobe" + where();
    }
}
