package org.mpi4j.matching;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.mpi4j.Buf;
import org.mpi4j.ErrorClass;
import org.mpi4j.IdleStrategy;
import org.mpi4j.JobAbortedException;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.Status;
import org.mpi4j.spi.AbstractRequest;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.MessageSpi;
import org.mpi4j.spi.Progress;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameHandler;
import org.mpi4j.transport.Transport;

/**
 * One rank's matching engine: the point-to-point layer shared by every pure-Java engine. It
 * receives frames from its transport ({@link FrameHandler}) and serves the communicators of
 * its rank ({@link #comm}).
 *
 * <p>Threading. Any thread may call any operation, and transports may deliver frames on any
 * thread, so all matching state is guarded by one lock. Nothing slow happens under it:
 * copies into a matched receive buffer, transport calls and completions all run after the
 * lock is released, on state that matching has already handed to one owner. Only an eager
 * message that finds no receive is copied under the lock, into the unexpected queue.
 *
 * <p>Protocols. A standard send up to the transport's eager limit goes at once, data
 * included, and is complete when handed over. Larger and synchronous sends go by rendezvous:
 * an RTS carries the envelope; the receive that matches it copies the data straight from
 * the sender's buffer if the transport supports get, and answers FIN, or else answers CTS
 * and the sender streams DATA fragments.
 *
 * <p>Failure. {@link #abort} fails every pending operation and makes every later one throw;
 * a peer's CLOSE (it finalized) fails the operations only it could have completed. No
 * operation waits on a peer that can never answer.
 */
public final class Endpoint implements FrameHandler, Progress {
    /** Context of the world communicator's point-to-point traffic (its collectives use 1). */
    public static final int WORLD_CONTEXT = 0;
    /** Context of the self communicator's point-to-point traffic (its collectives use 3). */
    public static final int SELF_CONTEXT = 2;

    final int worldRank;
    final int worldSize;
    final Transport transport;
    private final IdleStrategy idle;

    private final MatchLock lock = new MatchLock();
    private Ctx[] contexts = new Ctx[4];
    private final LongMap<SendRequest> sends = new LongMap<>();
    private final LongMap<RecvRequest<?>> recvs = new LongMap<>();
    private final List<ProbeRequest> probes = new ArrayList<>();
    private final boolean[] closedPeers;
    private boolean closed;
    private volatile JobAbortedException failure;
    private final java.util.concurrent.atomic.AtomicInteger backgroundPending = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean backgroundRunning = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Creates the matching engine of world rank {@code worldRank} of {@code worldSize}.
     * Register it with the fabric as the rank's {@link FrameHandler}.
     */
    public Endpoint(int worldRank, int worldSize, Transport transport, IdleStrategy idle) {
        this.worldRank = worldRank;
        this.worldSize = worldSize;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.idle = Objects.requireNonNull(idle, "idle");
        this.closedPeers = new boolean[worldSize];
    }

    /**
     * Returns a communicator of this rank over context {@code context}.
     *
     * @param members the world ranks of the communicator's ranks, in rank order; null for the world
     */
    public CommSpi comm(int context, int[] members, String name) {
        return comm(context, members, null, name);
    }

    /**
     * Returns a communicator of this rank that receives on {@code context}, and sends to its
     * rank {@code i} on {@code peerContexts[i]} (null: every member uses {@code context}).
     */
    CommSpi comm(int context, int[] members, int[] peerContexts, String name) {
        if (members == null) {
            return new MatchingComm(this, context, worldRank, worldSize, null, peerContexts, name);
        }
        int rank = -1;
        for (int i = 0; i < members.length; i++) {
            if (members[i] == worldRank) {
                rank = i;
            }
        }
        if (rank < 0) {
            throw new IllegalArgumentException("world rank " + worldRank + " is not in " + Arrays.toString(members));
        }
        return new MatchingComm(this, context, rank, members.length, members.clone(),
                peerContexts == null ? null : peerContexts.clone(), name);
    }

    // ================================================================== contexts

    /**
     * Allocates a context id and the next one, for a new communicator's point-to-point and
     * collective traffic. Ids are never reused, so a freed communicator's late messages can
     * never match a newer communicator's receives.
     */
    public int allocateContext() {
        synchronized (lock) {
            if (lock.nextContext > Integer.MAX_VALUE - 2) {
                throw new MpiException(ErrorClass.COMM, "rank " + worldRank + " has used up its context ids");
            }
            int c = lock.nextContext;
            lock.nextContext += 2;
            return c;
        }
    }

    /** Forgets a freed communicator's matching state. */
    void dropContext(int context) {
        synchronized (lock) {
            for (int c = context; c <= context + 1 && c < contexts.length; c++) {
                contexts[c] = null;
            }
        }
    }

    // ================================================================== Progress

    @Override
    public IdleStrategy idleStrategy() {
        return idle;
    }

    @Override
    public int progress() {
        return transport.poll();
    }

    @Override
    public void parking(boolean parked) {
        transport.parking(parked);
    }

    /**
     * Polls in the background until every request handed here has completed: a virtual
     * thread, started on demand and gone when there is nothing left to wait for, that parks
     * like any waiter between frames.
     */
    @Override
    public void progressInBackground(AbstractRequest<?> request) {
        backgroundPending.incrementAndGet();
        request.onCompletion(backgroundPending::decrementAndGet);
        startBackgroundProgress();
    }

    private void startBackgroundProgress() {
        if (backgroundRunning.compareAndSet(false, true)) {
            Thread.ofVirtual().name("mpi4j-progress-" + worldRank).start(this::backgroundProgress);
        }
    }

    private void backgroundProgress() {
        int idleCount = 0;
        try {
            while (backgroundPending.get() > 0 && failure == null) {
                if (transport.poll() > 0) {
                    idleCount = 0;
                    continue;
                }
                transport.parking(true);
                try {
                    if (transport.poll() == 0 && backgroundPending.get() > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(Math.min(1_000_000L, 1_000L << Math.min(idleCount++, 10)));
                    }
                } finally {
                    transport.parking(false);
                }
            }
        } finally {
            backgroundRunning.set(false);
        }
        // A request handed over just as we stopped would have found us still running.
        if (backgroundPending.get() > 0 && failure == null) {
            startBackgroundProgress();
        }
    }

    @Override
    public void checkFailure() {
        JobAbortedException f = failure;
        if (f != null) {
            throw copy(f);
        }
    }

    /** Throws if this rank may not communicate: the job failed, or this rank finalized. */
    void checkUsable() {
        checkFailure();
        if (closed) {
            throw new MpiException(ErrorClass.PROC_FINALIZED, "rank " + worldRank + " has finalized and cannot communicate");
        }
    }

    private static JobAbortedException copy(JobAbortedException f) {
        return new JobAbortedException(f.failedRank(), f.errorCode(), f.getMessage(), f.getCause());
    }

    /** Returns the failure that aborted the job, or null. */
    public JobAbortedException failure() {
        return failure;
    }

    private Ctx ctx(int id) {
        if (id >= contexts.length) {
            contexts = Arrays.copyOf(contexts, Math.max(id + 1, contexts.length * 2));
        }
        Ctx c = contexts[id];
        if (c == null) {
            c = new PaddedCtx(id);
            contexts[id] = c;
        }
        return c;
    }

    // ================================================================== sending

    void send(MatchingComm c, Buf buf, int dest, int tag, boolean sync) {
        int peer = c.peer(dest);
        checkPeer(peer, "send", dest, c);
        if (!sync && buf.byteSize() <= transport.eagerLimit(peer)) {
            sendEager(c, buf, dest, tag, peer);
            return;
        }
        startRendezvous(c, buf, dest, tag, peer, sync).waitFor();
    }

    AbstractRequest<Status> isend(MatchingComm c, Buf buf, int dest, int tag, boolean sync) {
        int peer = c.peer(dest);
        checkPeer(peer, sync ? "issend" : "isend", dest, c);
        if (!sync && buf.byteSize() <= transport.eagerLimit(peer)) {
            sendEager(c, buf, dest, tag, peer);
            SendRequest r = new SendRequest(this, c, dest, peer, tag, buf, false);
            r.complete(Status.SENT);
            return r;
        }
        return startRendezvous(c, buf, dest, tag, peer, sync);
    }

    private void checkPeer(int peer, String op, int dest, MatchingComm c) {
        checkUsable();
        if (closedPeers[peer]) { // a racy read is fine: CLOSE is final, and a late check only delays the error
            throw new MpiException(ErrorClass.PROC_FINALIZED, op + "(dest=" + dest + ") on " + c.name()
                    + ": rank " + dest + " has finalized and receives nothing more");
        }
    }

    /** A message's envelope: what matching needs, for an EAGER or RTS frame. */
    private static Frame envelope(byte type, MatchingComm c, int dest, int tag, Buf buf) {
        Frame f = new Frame();
        f.type = type;
        f.context = c.sendContext(dest);
        f.source = c.rank();
        f.tag = tag;
        f.datatype = buf.datatype();
        f.bytes = buf.byteSize();
        return f;
    }

    private void sendEager(MatchingComm c, Buf buf, int dest, int tag, int peer) {
        Frame f = envelope(Frame.EAGER, c, dest, tag, buf);
        f.length = f.bytes;
        transport.send(peer, f, buf, 0);
    }

    private SendRequest startRendezvous(MatchingComm c, Buf buf, int dest, int tag, int peer, boolean sync) {
        SendRequest r = new SendRequest(this, c, dest, peer, tag, buf, sync);
        synchronized (lock) {
            checkUsable();
            if (closedPeers[peer]) {
                throw new MpiException(ErrorClass.PROC_FINALIZED, r.describe() + ": rank " + dest + " has finalized");
            }
            r.sendId = lock.nextId++;
            sends.put(r.sendId, r);
        }
        Frame f = envelope(Frame.RTS, c, dest, tag, buf);
        f.sendId = r.sendId;
        f.flag = sync;
        f.attachment = transport.supportsGet(peer) ? buf : null;
        transport.send(peer, f, null, 0);
        return r;
    }

    void sendFin(int peer, long sendId) {
        Frame f = new Frame();
        f.type = Frame.FIN;
        f.sendId = sendId;
        transport.send(peer, f, null, 0);
    }

    void sendCts(int peer, long sendId, long recvId) {
        Frame f = new Frame();
        f.type = Frame.CTS;
        f.sendId = sendId;
        f.recvId = recvId;
        transport.send(peer, f, null, 0);
    }

    private void streamData(SendRequest r, long recvId) {
        long total = r.buf.byteSize();
        long offset = 0;
        while (offset < total) {
            long len = Math.min(total - offset, Math.max(1, transport.maxFragment(r.peer)));
            Frame f = new Frame();
            f.type = Frame.DATA;
            f.recvId = recvId;
            f.offset = offset;
            f.length = len;
            transport.send(r.peer, f, r.buf, offset);
            offset += len;
        }
        r.complete(Status.SENT);
    }

    void cancelSend(SendRequest r) {
        synchronized (lock) {
            if (sends.get(r.sendId) != r) {
                return; // already matched, completed or failed
            }
        }
        Frame f = new Frame();
        f.type = Frame.CANCEL;
        f.context = r.comm.sendContext(r.dest);
        f.sendId = r.sendId;
        transport.send(r.peer, f, null, 0);
    }

    // ================================================================== receiving

    <T> RecvRequest<T> irecv(MatchingComm c, Buf target, int source, int tag,
            Function<? super Buf, ? extends T> decoder, String op) {
        int peer = source == Mpi.ANY_SOURCE ? -1 : c.peer(source);
        RecvRequest<T> r = new RecvRequest<>(this, c, source, tag, peer, target, decoder, op);
        Unexpected u;
        synchronized (lock) {
            checkUsable();
            Ctx x = ctx(c.context);
            u = x.takeUnexpected(source, tag);
            if (u == null) {
                checkPeerAlive(peer, r);
                r.seq = lock.postSeq++;
                x.post(r);
                return r;
            }
        }
        r.matchedUnexpected(u);
        return r;
    }

    private void checkPeerAlive(int peer, AbstractRequest<?> r) {
        if (peer >= 0 && closedPeers[peer]) {
            throw new MpiException(ErrorClass.PROC_FINALIZED, r.describe()
                    + " can never complete: the source (world rank " + peer + ") has finalized");
        }
    }

    void cancelPosted(PostedRecv<?> r) {
        boolean removed;
        synchronized (lock) {
            removed = ctx(r.comm.context).removePosted(r);
        }
        if (removed) {
            r.complete(new Status(r.source, r.tag, org.mpi4j.Datatype.BYTE, 0, true));
        }
    }

    /** Registers a receive that waits for DATA fragments; false if the job failed meanwhile. */
    boolean registerRecv(RecvRequest<?> r) {
        synchronized (lock) {
            JobAbortedException f = failure;
            if (f != null) {
                r.fail(copy(f));
                return false;
            }
            r.recvId = lock.nextId++;
            recvs.put(r.recvId, r);
            return true;
        }
    }

    void unregisterRecv(long recvId) {
        synchronized (lock) {
            recvs.remove(recvId);
        }
    }

    // ================================================================== probing

    Status iprobe(MatchingComm c, int source, int tag) {
        transport.poll(); // a probe loop must see messages arrive
        synchronized (lock) {
            checkUsable();
            Unexpected u = ctx(c.context).peekUnexpected(source, tag);
            return u == null ? null : u.status();
        }
    }

    Status probe(MatchingComm c, int source, int tag) {
        int peer = source == Mpi.ANY_SOURCE ? -1 : c.peer(source);
        ProbeRequest p = new ProbeRequest(this, c, source, tag, peer);
        synchronized (lock) {
            checkUsable();
            Ctx x = ctx(c.context);
            Unexpected u = x.peekUnexpected(source, tag);
            if (u != null) {
                return u.status();
            }
            checkPeerAlive(peer, p);
            x.probes.add(p);
            probes.add(p);
        }
        return p.waitFor();
    }

    MessageSpi improbe(MatchingComm c, int source, int tag) {
        transport.poll();
        Unexpected u;
        synchronized (lock) {
            checkUsable();
            u = ctx(c.context).takeUnexpected(source, tag);
        }
        return u == null ? null : new MatchedMessage(this, c, u);
    }

    MessageSpi mprobe(MatchingComm c, int source, int tag) {
        int peer = source == Mpi.ANY_SOURCE ? -1 : c.peer(source);
        MprobeRequest m = new MprobeRequest(this, c, source, tag, peer);
        synchronized (lock) {
            checkUsable();
            Ctx x = ctx(c.context);
            Unexpected u = x.takeUnexpected(source, tag);
            if (u != null) {
                return new MatchedMessage(this, c, u);
            }
            checkPeerAlive(peer, m);
            m.seq = lock.postSeq++;
            x.post(m);
        }
        m.waitFor();
        return new MatchedMessage(this, c, m.message);
    }

    // ================================================================== frames from the transport

    @Override
    public void onFrame(int peer, Frame f, Buf payload, long payloadOffset) {
        switch (f.type) {
            case Frame.EAGER, Frame.RTS -> onMessage(peer, f, payload, payloadOffset);
            case Frame.CTS -> {
                SendRequest r;
                synchronized (lock) {
                    r = sends.remove(f.sendId);
                }
                if (r != null) {
                    streamData(r, f.recvId);
                }
            }
            case Frame.DATA -> {
                RecvRequest<?> r;
                synchronized (lock) {
                    r = recvs.get(f.recvId);
                }
                if (r != null) {
                    r.onData(f, payload, payloadOffset);
                }
            }
            case Frame.FIN -> {
                SendRequest r;
                synchronized (lock) {
                    r = sends.remove(f.sendId);
                }
                if (r != null) {
                    r.complete(Status.SENT);
                }
            }
            case Frame.CANCEL -> onCancel(peer, f);
            case Frame.CANCEL_ACK -> {
                if (f.flag) {
                    SendRequest r;
                    synchronized (lock) {
                        r = sends.remove(f.sendId);
                    }
                    if (r != null) {
                        r.complete(Status.CANCELLED);
                    }
                }
            }
            case Frame.CLOSE -> onPeerClosed(peer);
            default -> throw new MpiException(ErrorClass.INTERN, "rank " + worldRank + ": unknown frame " + f);
        }
    }

    private void onMessage(int peer, Frame f, Buf payload, long payloadOffset) {
        PostedRecv<?> match;
        Unexpected u = null;
        List<ProbeRequest> woken = null;
        synchronized (lock) {
            if (failure != null || closed) {
                return; // nobody will ever receive it
            }
            Ctx x = ctx(f.context);
            match = x.takePosted(f.source, f.tag);
            if (match == null) {
                u = Unexpected.of(peer, f, payload, payloadOffset);
                x.addUnexpected(u);
                woken = x.takeProbes(u);
                if (woken != null) {
                    probes.removeAll(woken);
                }
            }
        }
        if (match != null) {
            match.matchedArrival(peer, f, payload, payloadOffset);
        } else if (woken != null) {
            for (ProbeRequest p : woken) {
                p.complete(u.status());
            }
        }
    }

    private void onCancel(int peer, Frame f) {
        boolean cancelled;
        synchronized (lock) {
            Ctx x = ctx(f.context);
            Unexpected u = x.findRendezvous(peer, f.sendId);
            cancelled = u != null;
            if (cancelled) {
                x.unlink(u);
            }
        }
        Frame ack = new Frame();
        ack.type = Frame.CANCEL_ACK;
        ack.sendId = f.sendId;
        ack.flag = cancelled;
        transport.send(peer, ack, null, 0);
    }

    private void onPeerClosed(int peer) {
        List<AbstractRequest<?>> doomed = new ArrayList<>();
        synchronized (lock) {
            closedPeers[peer] = true;
            for (Ctx x : contexts) {
                if (x == null) {
                    continue;
                }
                if (x.postedCount() > 0) {
                    x.forEachPosted(r -> {
                        if (r.peer == peer && x.removePosted(r)) {
                            doomed.add(r);
                        }
                    });
                }
                x.probes.removeIf(p -> p.peer == peer && doomed.add(p));
            }
            probes.removeIf(p -> p.peer == peer);
            sends.forEachValue(s -> {
                if (s.peer == peer) {
                    sends.remove(s.sendId);
                    doomed.add(s);
                }
            });
        }
        for (AbstractRequest<?> r : doomed) {
            r.fail(new MpiException(ErrorClass.PROC_FINALIZED, r.describe()
                    + " can never complete: world rank " + peer + " has finalized"));
        }
    }

    // ================================================================== lifecycle

    /**
     * Finalizes this rank: tells every peer, so that their operations that only this rank
     * could complete fail at once. Idempotent.
     */
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (failure != null) {
            return;
        }
        for (int peer = 0; peer < worldSize; peer++) {
            if (peer != worldRank) {
                Frame f = new Frame();
                f.type = Frame.CLOSE;
                try {
                    transport.send(peer, f, null, 0);
                } catch (RuntimeException gone) {
                    // a peer that has finished, or whose connection is gone, needs no farewell
                }
            }
        }
    }

    /**
     * Aborts this rank's part of a failed job: every pending operation fails with
     * {@code cause}, and every later one throws it. The first failure wins.
     */
    public void abort(JobAbortedException cause) {
        List<AbstractRequest<?>> doomed = new ArrayList<>();
        synchronized (lock) {
            if (failure != null) {
                return;
            }
            failure = cause;
            for (Ctx x : contexts) {
                if (x != null) {
                    x.forEachPosted(r -> {
                        x.removePosted(r);
                        doomed.add(r);
                    });
                    x.probes.clear();
                }
            }
            doomed.addAll(probes);
            probes.clear();
            sends.forEachValue(doomed::add);
            sends.clear();
            recvs.forEachValue(doomed::add);
            recvs.clear();
        }
        for (AbstractRequest<?> r : doomed) {
            r.fail(copy(cause));
        }
    }

    /** Describes what this rank waits for and holds: a watchdog's view when a job hangs. */
    public String describe() {
        List<AbstractRequest<?>> pending = new ArrayList<>();
        int unexpected = 0;
        synchronized (lock) {
            for (Ctx x : contexts) {
                if (x != null) {
                    x.forEachPosted(pending::add);
                    unexpected += x.unexpectedCount();
                }
            }
            pending.addAll(probes);
            sends.forEachValue(pending::add);
            recvs.forEachValue(pending::add);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("rank ").append(worldRank).append(closed ? " (finalized)" : "").append(":\n");
        if (pending.isEmpty()) {
            sb.append("  no pending operations\n");
        }
        for (AbstractRequest<?> r : pending) {
            Thread w = r.waiter();
            boolean blocked = w != null && w.isAlive() && !r.isComplete();
            sb.append(blocked ? "  blocked in " : "  pending    ").append(r.describe());
            if (blocked) {
                sb.append("  [thread ").append(w.getName()).append("]");
            }
            sb.append('\n');
        }
        if (unexpected > 0) {
            sb.append("  ").append(unexpected).append(" unexpected message(s) not yet received\n");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "Endpoint[rank " + worldRank + " of " + worldSize + "]";
    }
}
