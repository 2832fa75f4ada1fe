package org.mpi4j.matching;

import java.util.function.Function;
import org.mpi4j.Buf;
import org.mpi4j.Datatype;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.Status;
import org.mpi4j.TruncationException;
import org.mpi4j.transport.Frame;

/**
 * A receive: into a given buffer, or (target null) into one allocated for the message when it
 * matches. Eager data is copied in at once; rendezvous data is copied straight from the
 * sender's buffer where the transport can, else it arrives in DATA fragments.
 */
final class RecvRequest<T> extends PostedRecv<T> {
    private final Buf target;
    private final String op;

    // Rendezvous in fragments: written before the CTS is sent, then by the one delivering thread.
    private Buf dst;
    private Status pending;
    private long expected;
    private long received;
    long recvId;

    RecvRequest(Endpoint ep, MatchingComm comm, int source, int tag, int peer, Buf target,
            Function<? super Buf, ? extends T> decoder, String op) {
        super(ep, comm, source, tag, peer, decoder);
        this.target = target;
        this.op = op;
    }

    @Override
    void matchedArrival(int fromPeer, Frame f, Buf payload, long payloadOffset) {
        Status st = new Status(f.source, f.tag, f.datatype, f.bytes, false);
        if (f.type == Frame.RTS) {
            rendezvous(fromPeer, f.sendId, f.attachment, st);
            return;
        }
        if (target == null) {
            Buf b = Buf.allocate(f.datatype, Math.toIntExact(f.bytes / f.datatype.extent()));
            Buf.copy(payload, payloadOffset, b, 0, f.bytes);
            complete(st, b);
        } else if (accepts(st)) {
            Buf.copy(payload, payloadOffset, target, 0, f.bytes);
            complete(st);
        }
    }

    @Override
    void matchedUnexpected(Unexpected u) {
        Status st = u.status();
        if (u.rendezvous) {
            rendezvous(u.peer, u.sendId, u.attachment, st);
        } else if (target == null) {
            complete(st, u.data); // the unexpected copy is handed over, not copied again
        } else if (accepts(st)) {
            Buf.copy(u.data, 0, target, 0, u.bytes);
            complete(st);
        }
    }

    private void rendezvous(int fromPeer, long sendId, Object attachment, Status st) {
        if (target != null && !accepts(st)) {
            ep.sendFin(fromPeer, sendId); // the sender completes as in MPI; only the receive fails
            return;
        }
        Buf into = target != null ? target : Buf.allocate(st.datatype(), Math.toIntExact(st.bytes() / st.datatype().extent()));
        if (st.bytes() == 0) {
            ep.sendFin(fromPeer, sendId);
            complete(st, into);
        } else if (attachment != null && ep.transport.supportsGet(fromPeer)) {
            ep.transport.get(fromPeer, attachment, 0, into, 0, st.bytes());
            ep.sendFin(fromPeer, sendId);
            complete(st, into);
        } else {
            dst = into;
            pending = st;
            expected = st.bytes();
            received = 0;
            if (ep.registerRecv(this)) {
                ep.sendCts(fromPeer, sendId, recvId);
            }
        }
    }

    /** A DATA fragment for this receive; the last one completes it. */
    void onData(Frame f, Buf payload, long payloadOffset) {
        Buf.copy(payload, payloadOffset, dst, f.offset, f.length);
        received += f.length;
        if (received >= expected) {
            ep.unregisterRecv(recvId);
            complete(pending, dst);
        }
    }

    /** Checks type and size against the buffer; fails the receive (the message is consumed) if wrong. */
    private boolean accepts(Status st) {
        if (st.datatype() != target.datatype()) {
            String what = st.datatype() == Datatype.OBJECT
                    ? "a serialized object; receive it with the object form recv(source, tag)"
                    : st.datatype() + " elements";
            fail(new MpiException(ErrorClass.TYPE, op + where() + ": the message from rank " + st.source()
                    + " with tag " + st.tag() + " holds " + what + ", but the receive buffer holds "
                    + target.datatype() + " elements"));
            return false;
        }
        if (st.bytes() > target.byteSize()) {
            long extent = st.datatype().extent();
            fail(new TruncationException(op + where() + ": the message from rank " + st.source() + " with tag "
                    + st.tag() + " has " + (st.bytes() / extent) + " " + st.datatype() + " elements ("
                    + st.bytes() + " bytes), more than the receive buffer's " + target.count() + " elements ("
                    + target.byteSize() + " bytes)", st.bytes(), target.byteSize()));
            return false;
        }
        return true;
    }

    @Override
    public String describe() {
        return op + where() + (target != null ? " into " + target : "")
                + (pending != null ? " [receiving " + received + " of " + expected + " bytes]" : "");
    }
}
