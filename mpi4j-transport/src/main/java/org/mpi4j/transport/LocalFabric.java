package org.mpi4j.transport;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.mpi4j.Buf;

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
    private static final VarHandle POLLER;
    private static final VarHandle SLEEPING;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(InboxProducer.class, "tail", Frame.class);
            NEXT = l.findVarHandle(Frame.class, "next", Frame.class);
            POLLER = l.findVarHandle(InboxConsumer.class, "poller", Thread.class);
            SLEEPING = l.findVarHandle(InboxSleepers.class, "sleeping", int.class);
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
        this.eagerLimit = eagerLimit;
    }

    /** Registers rank {@code rank}'s handler: the receiver of what its inbox holds. */
    public void register(int rank, FrameHandler handler) {
        if (inboxes[rank] != null) {
            throw new IllegalStateException("rank " + rank + " is already registered");
        }
        inboxes[rank] = new Inbox(Objects.requireNonNull(handler, "handler"));
    }

    /** Returns the transport rank {@code rank} sends and polls with. */
    public Transport transport(int rank) {
        return new LocalTransport(rank);
    }

    /** Returns how many frames wait, unpolled, in rank {@code rank}'s inbox (for diagnostics). */
    public int backlog(int rank) {
        int n = 0;
        Inbox in = inboxes[rank];
        for (Frame f = in == null ? null : (Frame) NEXT.getAcquire(in.head); f != null; f = (Frame) NEXT.getAcquire(f)) {
            n++;
        }
        return n;
    }

    /**
     * One rank's inbox: Vyukov's intrusive multi-producer single-consumer queue. Its fields
     * are laid out on separate cache lines by the padded superclasses below: senders write
     * {@code tail}, the receiver writes {@code head} and its poll lock, and both read the
     * sleeper count, which changes only when a receiver parks.
     */
    private static final class Inbox extends InboxSleepers {
        final FrameHandler handler;

        Inbox(FrameHandler handler) {
            this.handler = handler;
        }

        void offer(Frame f) {
            Frame prev = (Frame) TAIL.getAndSet(this, f);
            // A volatile link, not merely a release: with the volatile read of the sleeper count
            // after it, and the receiver's volatile registration before its last poll, this is a
            // Dekker pair, so a receiver about to park either sees the frame or gets unparked.
            NEXT.setVolatile(prev, f);
            if ((int) SLEEPING.getVolatile(this) > 0) {
                for (Thread t : sleepers) {
                    LockSupport.unpark(t);
                }
            }
        }

        /**
         * Delivers every frame that has fully arrived. One thread of the rank polls at a time;
         * the others return 0 at once. Reentrant, so a completion callback that waits can poll.
         */
        int drain() {
            Thread me = Thread.currentThread();
            if (poller == me) {
                return deliver(); // nested: a callback of an outer delivery is waiting
            }
            int n = 0;
            // Re-check after unlocking: a thread of this rank that failed to take the lock while
            // we held it may have parked, counting on us to deliver what arrived meanwhile.
            while (NEXT.getVolatile(head) != null && POLLER.compareAndSet(this, null, me)) {
                try {
                    n += deliver();
                } finally {
                    POLLER.setRelease(this, null);
                }
            }
            return n;
        }

        private int deliver() {
            int n = 0;
            Frame next;
            while ((next = (Frame) NEXT.getVolatile(head)) != null) {
                // Only read the frame: a write here would pull its cache line away from the
                // sender, who writes the next link into it. The stub keeps its payload alive
                // until the next frame replaces it.
                head = next;
                byte[] data = next.carried;
                // The payload view is made here, on the receiver's thread: only the sender's
                // array crosses between cores, not wrapper objects on cache lines of their own.
                handler.onFrame(next.from, next, data == null ? null : Buf.of(data), 0);
                n++;
            }
            return n;
        }
    }

    // Cache-line padding by inheritance, as Agrona does: a class's fields are laid out after
    // its superclass's, so each group below starts at least 64 bytes after the previous one.

    @SuppressWarnings("unused")
    private abstract static class InboxPad0 {
        long p00, p01, p02, p03, p04, p05, p06, p07;
    }

    /** The receiver's side: the queue's head and the poll lock. */
    private abstract static class InboxConsumer extends InboxPad0 {
        /** A stub whose successor is the oldest frame; written only by the poller. */
        Frame head = new Frame();
        /** The thread polling now, or null. */
        volatile Thread poller;
    }

    @SuppressWarnings("unused")
    private abstract static class InboxPad1 extends InboxConsumer {
        long p10, p11, p12, p13, p14, p15, p16, p17;
    }

    /** The senders' side: the queue's tail. */
    private abstract static class InboxProducer extends InboxPad1 {
        volatile Frame tail = head;
    }

    @SuppressWarnings("unused")
    private abstract static class InboxPad2 extends InboxProducer {
        long p20, p21, p22, p23, p24, p25, p26, p27;
    }

    /** Read by every sender, written only when a receiving thread parks or wakes. */
    private abstract static class InboxSleepers extends InboxPad2 {
        volatile int sleeping;
        final Set<Thread> sleepers = ConcurrentHashMap.newKeySet();
    }

    @SuppressWarnings("unused")
    private abstract static class InboxPad3 extends InboxSleepers {
        long p30, p31, p32, p33, p34, p35, p36, p37;
    }

    private final class LocalTransport implements Transport {
        private final int self;

        LocalTransport(int self) {
            this.self = self;
        }

        @Override
        public void send(int peer, Frame frame, Buf payload, long payloadOffset) {
            frame.from = self;
            if (frame.length > 0 && (frame.type == Frame.EAGER || frame.type == Frame.DATA)) {
                byte[] copy = new byte[Math.toIntExact(frame.length)];
                payload.copyTo(payloadOffset, MemorySegment.ofArray(copy), 0, frame.length);
                frame.carried = copy;
            }
            inboxes[peer].offer(frame);
        }

        @Override
        public int poll() {
            return inboxes[self].drain();
        }

        @Override
        public void parking(boolean parked) {
            Thread me = Thread.currentThread();
            Inbox mine = inboxes[self];
            if (parked) {
                mine.sleepers.add(me);
                SLEEPING.getAndAdd(mine, 1);
            } else {
                SLEEPING.getAndAdd(mine, -1);
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
