package org.mpi4j.engine.libmpi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.mpi4j.transport.FrameCodec.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import org.mpi4j.Buf;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameCodec;
import org.mpi4j.transport.FrameHandler;
import org.mpi4j.transport.Transport;

/**
 * mpi4j's frames over MPI point-to-point: the native engine's transport beneath the shared
 * matching layer.
 *
 * <p>Why not map {@code send} and {@code recv} onto {@code MPI_Send} and {@code MPI_Recv}
 * one to one: an mpi4j message carries its element type (an {@code int[]} sent as an object
 * arrives as an {@code int[]}; a probe reports the type; receiving into the wrong type is an
 * error), and MPI has no way to learn a message's type before receiving it. So the native
 * engine keeps mpi4j's own matching ({@code Endpoint}, as the other engines) and MPI carries
 * its frames: every frame is one MPI message of its 56-byte header and payload, on a
 * duplicate of {@code MPI_COMM_WORLD} that nothing else uses. Collectives do not come
 * through here: they are libmpi's own ({@link NativeCollectives}).
 *
 * <p>Receiving: {@value #SLOTS} receives from any source are kept posted, each with room for
 * the largest frame; MPI matches them in posting order, so testing the oldest first delivers
 * frames in their order of arrival, and a frame always finds a posted receive (no sender
 * waits on a receiver that is itself sending). Sending: {@code MPI_Isend} from native
 * memory, then testing it while polling for incoming frames, so two ranks streaming large
 * frames to each other cannot deadlock. One thread polls at a time; a handler that sends
 * polls further on the same thread (the frame being handled keeps its slot until it
 * returns).
 */
final class MpiTransport implements Transport {
    static final int SLOTS = 16;
    static final long EAGER_LIMIT = 64 << 10;
    static final long MAX_FRAGMENT = 1 << 20;
    private static final int TAG = 0;
    private static final VarHandle POLLER;

    static {
        try {
            POLLER = MethodHandles.lookup().findVarHandle(MpiTransport.class, "poller", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LibMpi mpi;
    private final int rank;
    private final int size;
    private final long comm;
    /**
     * The posted receives' memory lives as long as the process (MPI may write into it until
     * finalization), and the global arena's segments pass to downcalls without the
     * reference counting a closable shared arena needs on every call.
     */
    private final Arena arena = Arena.global();
    private final MemorySegment[] slotBuffers = new MemorySegment[SLOTS];
    private final MemorySegment requests; // one MPI_Request per slot (8 bytes each, whatever the handle size)
    private final MemorySegment statuses;
    // Per slot, made once: what the hot path would otherwise allocate on every frame.
    private final MemorySegment[] slotRequests = new MemorySegment[SLOTS];
    private final MemorySegment[] slotStatuses = new MemorySegment[SLOTS];
    private final Buf[] slotViews = new Buf[SLOTS];
    private final Frame[] slotFrames = new Frame[SLOTS];
    private final MemorySegment pollFlag;
    // The posted slots in posting order, a ring of slot numbers; guarded by the poller role.
    private final int[] posted = new int[SLOTS];
    private int postedHead;
    private int postedCount;
    private final ThreadLocal<Staging> staging = ThreadLocal.withInitial(Staging::new);
    private volatile FrameHandler handler;
    private volatile Thread poller;
    private volatile boolean closed;

    MpiTransport(LibMpi mpi, int rank, int size, long comm) {
        this.mpi = mpi;
        this.rank = rank;
        this.size = size;
        this.comm = comm;
        this.requests = arena.allocate(8L * SLOTS, 8);
        this.statuses = arena.allocate((long) mpi.abi.statusBytes * SLOTS, 8);
        this.pollFlag = arena.allocate(ValueLayout.JAVA_INT);
        for (int i = 0; i < SLOTS; i++) {
            slotBuffers[i] = arena.allocate(FrameCodec.HEADER_BYTES + MAX_FRAGMENT, 64);
            slotRequests[i] = requests.asSlice(8L * i, 8);
            slotStatuses[i] = statuses.asSlice((long) mpi.abi.statusBytes * i, mpi.abi.statusBytes);
            slotViews[i] = Buf.of(slotBuffers[i]);
            slotFrames[i] = new Frame();
        }
    }

    /** Registers the matching layer and posts the receives. */
    void start(FrameHandler h) {
        this.handler = h;
        for (int i = 0; i < SLOTS; i++) {
            post(i);
        }
    }

    private void post(int slot) {
        MemorySegment req = slotRequests[slot];
        try {
            mpi.check((int) mpi.irecv.invokeExact(slotBuffers[slot], (int) (FrameCodec.HEADER_BYTES + MAX_FRAGMENT),
                    mpi.abi.byteType, mpi.abi.anySource, TAG, comm, req), "MPI_Irecv");
        } catch (MpiException e) {
            throw e;
        } catch (Throwable e) {
            throw new MpiException(ErrorClass.INTERN, "MPI_Irecv: " + e, e);
        }
        posted[(postedHead + postedCount) % SLOTS] = slot;
        postedCount++;
    }

    @Override
    public void send(int peer, Frame frame, Buf payload, long payloadOffset) {
        if (peer < 0 || peer >= size) {
            throw new IllegalArgumentException("rank " + rank + ": no rank " + peer + " in a job of " + size);
        }
        long len = frame.type == Frame.EAGER || frame.type == Frame.DATA ? frame.length : 0;
        if (len > MAX_FRAGMENT) {
            throw new IllegalArgumentException(Frame.typeName(frame.type) + " payload of " + len + " bytes; at most "
                    + MAX_FRAGMENT);
        }
        if (closed) {
            throw new MpiException(ErrorClass.PROC_FINALIZED, "rank " + rank + " has finalized and cannot send");
        }
        Staging st = staging.get();
        MemorySegment buf = st.acquire(FrameCodec.HEADER_BYTES + len);
        try {
            FrameCodec.encode(frame, buf, 0);
            if (len > 0) {
                payload.copyTo(payloadOffset, buf, FrameCodec.HEADER_BYTES, len);
            }
            MemorySegment req = st.request();
            mpi.check((int) mpi.isend.invokeExact(buf, (int) (FrameCodec.HEADER_BYTES + len), mpi.abi.byteType, peer,
                    TAG, comm, req), "MPI_Isend");
            MemorySegment flag = st.flag();
            while (true) {
                flag.set(ValueLayout.JAVA_INT, 0, 0);
                mpi.check((int) mpi.test.invokeExact(req, flag, mpi.abi.statusIgnore), "MPI_Test");
                if (flag.get(ValueLayout.JAVA_INT, 0) != 0) {
                    break;
                }
                if (poll() == 0) {
                    Thread.onSpinWait();
                }
            }
        } catch (MpiException e) {
            throw e;
        } catch (Throwable e) {
            throw new MpiException(ErrorClass.INTERN, "rank " + rank + " could not send to rank " + peer + ": " + e, e);
        } finally {
            st.release();
        }
    }

    @Override
    public long eagerLimit(int peer) {
        return EAGER_LIMIT;
    }

    @Override
    public long maxFragment(int peer) {
        return MAX_FRAGMENT;
    }

    @Override
    public boolean supportsGet(int peer) {
        return false;
    }

    @Override
    public void get(int peer, Object attachment, long srcOffset, Buf dst, long dstOffset, long bytes) {
        throw new UnsupportedOperationException("MPI frames carry their data: no get");
    }

    @Override
    public int poll() {
        FrameHandler h = handler;
        if (h == null || closed) {
            return 0;
        }
        Thread me = Thread.currentThread();
        boolean nestedCall = poller == me; // a handler of an outer delivery is sending and polls on
        if (!nestedCall && !POLLER.compareAndSet(this, null, me)) {
            return 0; // another thread is polling: it delivers what has come
        }
        int n = 0;
        try {
            while (n < SLOTS && postedCount > 0) {
                int slot = posted[postedHead];
                MemorySegment status = slotStatuses[slot];
                MemorySegment flag = pollFlag;
                flag.set(ValueLayout.JAVA_INT, 0, 0);
                mpi.check((int) mpi.test.invokeExact(slotRequests[slot], flag, status), "MPI_Test");
                if (flag.get(ValueLayout.JAVA_INT, 0) == 0) {
                    break;
                }
                postedHead = (postedHead + 1) % SLOTS;
                postedCount--;
                int source = status.get(ValueLayout.JAVA_INT, mpi.abi.statusSourceOffset);
                MemorySegment buf = slotBuffers[slot];
                Frame f;
                try {
                    f = FrameCodec.decode(buf, 0, slotFrames[slot], MAX_FRAGMENT);
                } catch (ProtocolException e) {
                    throw new MpiException(ErrorClass.INTERN, "rank " + rank + ": a corrupt frame from rank " + source
                            + " over MPI: " + e.getMessage());
                }
                try {
                    h.onFrame(source, f, slotViews[slot], FrameCodec.HEADER_BYTES);
                } finally {
                    if (!closed) {
                        post(slot);
                    }
                }
                n++;
            }
        } catch (MpiException e) {
            throw e;
        } catch (Throwable e) {
            throw new MpiException(ErrorClass.INTERN, "rank " + rank + ": MPI progress failed: " + e, e);
        } finally {
            if (!nestedCall) {
                POLLER.setRelease(this, null);
            }
        }
        return n;
    }

    /** Cancels the posted receives and frees the memory; called once every rank has finalized. */
    void close() {
        closed = true;
        try {
            for (int i = 0; i < postedCount; i++) {
                MemorySegment req = slotRequests[posted[(postedHead + i) % SLOTS]];
                int unused = (int) mpi.cancel.invokeExact(req);
                MemorySegment flag = pollFlag;
                do {
                    flag.set(ValueLayout.JAVA_INT, 0, 0);
                    unused = (int) mpi.test.invokeExact(req, flag, mpi.abi.statusIgnore);
                } while (flag.get(ValueLayout.JAVA_INT, 0) == 0);
            }
        } catch (Throwable ignored) {
            // finalizing anyway
        }
        postedCount = 0;
    }

    /**
     * Native memory for a thread's sends, one buffer per nesting level (a send that polls
     * may run a handler that sends again on the same thread), each reused and grown as needed.
     */
    private static final class Staging {
        private final Arena arena = Arena.ofAuto();
        private final List<MemorySegment> buffers = new ArrayList<>();
        private final List<MemorySegment> requests = new ArrayList<>();
        private final MemorySegment flag = arena.allocate(ValueLayout.JAVA_INT);
        private int depth;

        MemorySegment acquire(long bytes) {
            if (depth == buffers.size()) {
                buffers.add(arena.allocate(Math.max(4096, bytes), 64));
                requests.add(arena.allocate(8, 8));
            } else if (buffers.get(depth).byteSize() < bytes) {
                buffers.set(depth, arena.allocate(Math.max(bytes, buffers.get(depth).byteSize() * 2), 64));
            }
            return buffers.get(depth++);
        }

        MemorySegment request() {
            return requests.get(depth - 1);
        }

        MemorySegment flag() {
            return flag;
        }

        void release() {
            depth--;
        }
    }
}
