package org.mpi4j.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.mpi4j.Buf;
import org.mpi4j.Datatype;

/**
 * The in-JVM fabric: it joins the ranks of a local job.
 *
 * <p>Each rank has an inbox, a lock-free multi-producer queue in which the frames themselves
 * are the nodes. A sender appends; the receiving rank's own threads poll the inbox when
 * they wait (or probe, or test) and run matching on what they find. Nothing of the
 * receiver's matching state is touched by a sender's thread, so a message costs a few
 * cache-line transfers between cores instead of a lock's worth of them.
 *
 * <p>Copies: an eager message is copied once into its frame by the sender, and once into
 * the receive buffer (or the unexpected queue) by the receiver. A large message is not
 * queued at all: its RTS carries a reference to the sender's buffer, and the receiver
 * {@linkplain Transport#get copies it once}, straight into the receive buffer.
 *
 * <p>Waking: a receiving thread that is about to park registers itself first, and a sender
 * unparks registered threads after appending; a receiver that spins costs the sender one
 * read of a counter that does not change.
 */
public final class LocalFabric {
    private static final VarHandle TAIL;
    private static final VarHandle NEXT;

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(Inbox.class, "tail", Frame.class);
            NEXT = MethodHandles.lookup().findVarHandle(Frame.class, "next", Frame.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Inbox[] inboxes;
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
        this.inboxes = new Inbox[ranks];
        for (int r = 0; r < ranks; r++) {
            inboxes[r] = new Inbox();
        }
        this.eagerLimit = eagerLimit;
    }

    /** Registers rank {@code rank}'s handler: the receiver of what its inbox holds. */
    public void register(int rank, FrameHandler handler) {
        Inbox in = inboxes[rank];
        if (in.handler != null) {
            throw new IllegalStateException("rank " + rank + " is already registered");
        }
        in.handler = Objects.requireNonNull(handler, "handler");
    }

    /** Returns the transport rank {@code rank} sends and polls with. */
    public Transport transport(int rank) {
        return new LocalTransport(rank);
    }

    /** Returns how many frames wait, unpolled, in rank {@code rank}'s inbox (for diagnostics). */
    public int backlog(int rank) {
        int n = 0;
        for (Frame f = (Frame) NEXT.getAcquire(inboxes[rank].head); f != null; f = (Frame) NEXT.getAcquire(f)) {
            n++;
        }
        return n;
    }

    /** One rank's inbox: Vyukov's intrusive multi-producer single-consumer queue. */
    private static final class Inbox {
        volatile FrameHandler handler;
        /** The consumer's end: a stub whose successor is the oldest frame. Guarded by {@link #polling}. */
        Frame head = new Frame();
        volatile Frame tail = head;
        /** Serializes polling; reentrant, so a completion callback that waits can still poll. */
        final ReentrantLock polling = new ReentrantLock();
        final AtomicInteger sleeping = new AtomicInteger();
        final Set<Thread> sleepers = ConcurrentHashMap.newKeySet();

        void offer(Frame f) {
            Frame prev = (Frame) TAIL.getAndSet(this, f);
            // A volatile link, not merely a release: with the volatile read of the sleeper count
            // after it, and the receiver's volatile registration before its last poll, this is a
            // Dekker pair, so a receiver about to park either sees the frame or gets unparked.
            NEXT.setVolatile(prev, f);
            if (sleeping.get() > 0) {
                for (Thread t : sleepers) {
                    LockSupport.unpark(t);
                }
            }
        }

        /** Delivers every frame that has fully arrived; one thread at a time, the others return 0. */
        int drain() {
            int n = 0;
            // Re-check after unlocking: a thread of this rank that failed to take the lock while
            // we held it may have parked, counting on us to deliver what arrived meanwhile.
            while (NEXT.getVolatile(head) != null && polling.tryLock()) {
                try {
                    Frame next;
                    while ((next = (Frame) NEXT.getVolatile(head)) != null) {
                        head = next;
                        Buf payload = next.carried;
                        next.carried = null;
                        handler.onFrame(next.from, next, payload, 0);
                        n++;
                    }
                } finally {
                    polling.unlock();
                }
            }
            return n;
        }
    }

    private final class LocalTransport implements Transport {
        private final int self;
        private final Inbox mine;

        LocalTransport(int self) {
            this.self = self;
            this.mine = inboxes[self];
        }

        @Override
        public void send(int peer, Frame frame, Buf payload, long payloadOffset) {
            frame.from = self;
            if (frame.length > 0 && (frame.type == Frame.EAGER || frame.type == Frame.DATA)) {
                Buf copy = Buf.allocate(Datatype.BYTE, Math.toIntExact(frame.length));
                Buf.copy(payload, payloadOffset, copy, 0, frame.length);
                frame.carried = copy;
            }
            inboxes[peer].offer(frame);
        }

        @Override
        public int poll() {
            return mine.drain();
        }

        @Override
        public void parking(boolean parked) {
            Thread me = Thread.currentThread();
            if (parked) {
                mine.sleepers.add(me);
                mine.sleeping.incrementAndGet();
            } else {
                mine.sleeping.decrementAndGet();
                mine.sleepers.remove(me);
            }
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
