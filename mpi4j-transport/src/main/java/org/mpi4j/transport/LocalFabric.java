package org.mpi4j.transport;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.mpi4j.Buf;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;

/**
 * The in-JVM fabric: every rank of a local job registers its {@link FrameHandler} here, and
 * each rank's {@link Transport} delivers a frame by calling the peer's handler on the
 * sender's thread. No copy is made on the way: an eager frame's payload is copied once,
 * by the receiver, into the posted receive buffer (or into the unexpected queue), and a
 * large message is copied once with {@link Transport#get}, from the sender's buffer straight
 * into the receiver's.
 */
public final class LocalFabric {
    private final AtomicReferenceArray<FrameHandler> handlers;
    private final long eagerLimit;

    /**
     * Creates a fabric for {@code ranks} ranks.
     *
     * @param eagerLimit the largest message sent eagerly (buffered if no receive is posted)
     */
    public LocalFabric(int ranks, long eagerLimit) {
        if (ranks < 1) {
            throw new IllegalArgumentException("ranks < 1: " + ranks);
        }
        if (eagerLimit < 0) {
            throw new IllegalArgumentException("eagerLimit < 0: " + eagerLimit);
        }
        this.handlers = new AtomicReferenceArray<>(ranks);
        this.eagerLimit = eagerLimit;
    }

    /** Registers rank {@code rank}'s handler. */
    public void register(int rank, FrameHandler handler) {
        if (!handlers.compareAndSet(rank, null, Objects.requireNonNull(handler, "handler"))) {
            throw new IllegalStateException("rank " + rank + " is already registered");
        }
    }

    /** Returns the transport rank {@code rank} sends with. */
    public Transport transport(int rank) {
        return new LocalTransport(rank);
    }

    private final class LocalTransport implements Transport {
        private final int self;

        LocalTransport(int self) {
            this.self = self;
        }

        @Override
        public void send(int peer, Frame frame, Buf payload, long payloadOffset) {
            FrameHandler h = handlers.get(peer);
            if (h == null) {
                throw new MpiException(ErrorClass.INTERN, "rank " + peer + " has no handler registered");
            }
            h.onFrame(self, frame, payload, payloadOffset);
        }

        @Override
        public long eagerLimit(int peer) {
            return eagerLimit;
        }

        @Override
        public long maxFragment(int peer) {
            return Long.MAX_VALUE;
        }

        @Override
        public boolean supportsGet(int peer) {
            return true;
        }

        @Override
        public void get(int peer, Object attachment, long srcOffset, Buf dst, long dstOffset, long bytes) {
            Buf.copy((Buf) attachment, srcOffset, dst, dstOffset, bytes);
        }

        @Override
        public String toString() {
            return "LocalTransport[rank " + self + "]";
        }
    }
}
