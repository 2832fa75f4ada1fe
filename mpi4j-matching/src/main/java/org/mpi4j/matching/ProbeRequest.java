package org.mpi4j.matching;

import org.mpi4j.Status;
import org.mpi4j.spi.AbstractRequest;

/** A blocking probe: waits for a matching message to arrive, and leaves it in place. */
final class ProbeRequest extends AbstractRequest<Status> {
    final MatchingComm comm;
    final int source;
    final int tag;
    final int peer;

    ProbeRequest(Endpoint ep, MatchingComm comm, int source, int tag, int peer) {
        super(ep);
        this.comm = comm;
        this.source = source;
        this.tag = tag;
        this.peer = peer;
    }

    @Override
    public String describe() {
        return "probe(source=" + PostedRecv.sourceName(source) + ", tag=" + PostedRecv.tagName(tag) + ") on " + comm.name();
    }
}
