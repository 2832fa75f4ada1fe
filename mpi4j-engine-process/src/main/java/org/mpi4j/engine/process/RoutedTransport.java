package org.mpi4j.engine.process;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.mpi4j.Buf;
import org.mpi4j.Datatype;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameHandler;
import org.mpi4j.transport.Transport;

/**
 * A rank's transport in the process engine: each peer is reached through the best transport
 * for it — shared memory for ranks on this host, TCP for the others — and this rank itself
 * through a queue in its own memory. Polling polls them all.
 */
final class RoutedTransport implements Transport {
    private final int self;
    private final Transport[] routes;
    private final Transport[] distinct;
    private volatile FrameHandler handler;
    private final ConcurrentLinkedQueue<Frame> loop = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Thread> loopPoller = new AtomicReference<>();

    /**
     * @param self this rank
     * @param routes the transport to reach each rank; the entry for {@code self} is ignored
     */
    RoutedTransport(int self, Transport[] routes) {
        this.self = self;
        this.routes = routes.clone();
        this.distinct = java.util.Arrays.stream(routes).filter(Objects::nonNull).distinct().toArray(Transport[]::new);
    }

    /** Sets this rank's matching layer, which receives the frames this rank sends itself. */
    void register(FrameHandler h) {
        this.handler = Objects.requireNonNull(h, "handler");
    }

    private Transport route(int peer) {
        Transport t = routes[peer];
        if (t == null) {
            throw new IllegalStateException("no transport reaches rank " + peer);
        }
        return t;
    }

    @Override
    public void send(int peer, Frame frame, Buf payload, long payloadOffset) {
        if (peer != self) {
            route(peer).send(peer, frame, payload, payloadOffset);
            return;
        }
        Frame f = frame.copy();
        f.attachment = null;
        if (frame.length > 0 && (frame.type == Frame.EAGER || frame.type == Frame.DATA)) {
            byte[] copy = new byte[Math.toIntExact(frame.length)];
            payload.copyTo(payloadOffset, MemorySegment.ofArray(copy), 0, frame.length);
            f.attachment = copy;
        }
        loop.add(f);
    }

    @Override
    public long eagerLimit(int peer) {
        return peer == self ? 64 * 1024 : route(peer).eagerLimit(peer);
    }

    @Override
    public long maxFragment(int peer) {
        return peer == self ? 1 << 20 : route(peer).maxFragment(peer);
    }

    @Override
    public boolean supportsGet(int peer) {
        return false;
    }

    @Override
    public void get(int peer, Object attachment, long srcOffset, Buf dst, long dstOffset, long bytes) {
        throw new UnsupportedOperationException("the process engine's transports stream rendezvous data");
    }

    @Override
    public int poll() {
        int n = pollLoop();
        for (Transport t : distinct) {
            n += t.poll();
        }
        return n;
    }

    /** Delivers frames this rank sent itself, in order, one poller at a time. */
    private int pollLoop() {
        if (loop.isEmpty() || !loopPoller.compareAndSet(null, Thread.currentThread())) {
            return 0;
        }
        int n = 0;
        try {
            Frame f;
            while ((f = loop.poll()) != null) {
                byte[] data = (byte[]) f.attachment;
                f.attachment = null;
                Buf payload = data == null ? null : Buf.of(MemorySegment.ofArray(data), Datatype.BYTE);
                handler.onFrame(self, f, payload, 0);
                n++;
            }
        } finally {
            loopPoller.set(null);
        }
        return n;
    }

    @Override
    public void parking(boolean parked) {
        for (Transport t : distinct) {
            t.parking(parked);
        }
    }
}
