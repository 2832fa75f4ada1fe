package org.mpi4j.matching;

import org.mpi4j.Buf;
import org.mpi4j.Datatype;
import org.mpi4j.Status;
import org.mpi4j.transport.Frame;

/**
 * A message that arrived before a receive for it was posted, or that a matched probe took
 * out of matching: its envelope, and either its data (eager) or how to fetch it (rendezvous).
 * It sits in two lists of its context: the FIFO of its exact (source, tag), and the arrival
 * list that wildcard receives walk.
 */
final class Unexpected {
    final int peer;
    final int source;
    final int tag;
    final Datatype datatype;
    final long bytes;
    final boolean rendezvous;
    final long sendId;
    final Object attachment;
    /** For eager messages: the data, in an array of the message's own element type. */
    final Buf data;

    Unexpected prev;
    Unexpected next;

    private Unexpected(int peer, Frame f, Buf data) {
        this.peer = peer;
        this.source = f.source;
        this.tag = f.tag;
        this.datatype = f.datatype;
        this.bytes = f.bytes;
        this.rendezvous = f.type == Frame.RTS;
        this.sendId = f.sendId;
        this.attachment = f.attachment;
        this.data = data;
    }

    /** Captures an arriving EAGER or RTS frame, copying an eager payload (valid only during delivery). */
    static Unexpected of(int peer, Frame f, Buf payload, long payloadOffset) {
        Buf data = null;
        if (f.type == Frame.EAGER) {
            data = Buf.allocate(f.datatype, Math.toIntExact(f.bytes / f.datatype.extent()));
            Buf.copy(payload, payloadOffset, data, 0, f.bytes);
        }
        return new Unexpected(peer, f, data);
    }

    Status status() {
        return new Status(source, tag, datatype, bytes, false);
    }

    boolean matches(int src, int t) {
        return (src == org.mpi4j.Mpi.ANY_SOURCE || src == source) && (t == org.mpi4j.Mpi.ANY_TAG || t == tag);
    }
}
