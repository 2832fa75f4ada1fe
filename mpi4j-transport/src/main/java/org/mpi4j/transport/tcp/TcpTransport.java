package org.mpi4j.transport.tcp;

import static org.mpi4j.transport.FrameCodec.HEADER_BYTES;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.mpi4j.Buf;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameCodec;
import org.mpi4j.transport.FrameCodec.ProtocolException;
import org.mpi4j.transport.FrameHandler;
import org.mpi4j.transport.Transport;

/**
 * A rank's transport to the ranks of other processes over TCP, in plain {@code java.nio}.
 *
 * <h2>Lifecycle</h2>
 * <ol>
 *   <li>{@linkplain #TcpTransport(int, int, byte[], InetSocketAddress, Options) Construct}: binds
 *       the listening socket (port 0: an ephemeral one) and nothing more; publish
 *       {@link #localAddress()} at the job's rendezvous.</li>
 *   <li>{@link #start(FrameHandler, PeerListener)}: starts the I/O thread, which accepts
 *       connections and delivers frames to the handler (the rank's matching layer, which is
 *       made with this transport, hence the two steps).</li>
 *   <li>{@link #connectTo(Map)} (or a resolver): where the peers listen. Connections are made
 *       on the first send to a peer, or all at once with {@link #connectAll(Duration)}.</li>
 *   <li>{@link #close()} after the matching layer has sent its CLOSE frames: half-closes every
 *       connection, drains it until the peer closes too (or a linger time passes), then stops.
 *       {@link #abort()} drops everything at once.</li>
 * </ol>
 *
 * <h2>Threads</h2>
 * Reading and delivering is a role, held by one thread at a time. By default the transport's
 * I/O thread holds it: it owns the selector, accepts, runs handshakes, reads every connection
 * and delivers frames to the handler, one frame at a time per peer, in order. But a thread
 * that waits for a request calls {@link #poll()} in its loop; while such threads poll, the
 * I/O thread stands aside and they read and deliver in turn, on their own core, so a message
 * costs no thread wake-up (an epoll wake-up is most of TCP's latency on a virtual machine).
 * The I/O thread takes the role back as soon as a waiter is about to {@linkplain #parking
 * park}, or when no thread has polled for {@value #IDLE_POLLERS_NANOS} ns.
 *
 * <p>Senders write directly on their own thread, one frame at a time per connection (a
 * lock), with no copy for payloads in native memory (a gathering write of header and
 * payload) and one copy, in chunks, through a direct buffer for heap arrays (the kernel
 * cannot read the Java heap, so NIO would copy them anyway). When a socket's send buffer is
 * full, a sender waits for the reader to see it writable, or becomes the reader itself if no
 * one is; reading never stops meanwhile, so two ranks streaming to each other cannot
 * deadlock.
 *
 * <p>The matching layer also sends from inside its handler (a CTS, or a whole rendezvous
 * message's DATA when a CTS arrives), that is as the reader. If such a write would block,
 * the reader runs the event loop nested in the send until the socket drains: it keeps
 * reading every connection and delivering frames of the other peers. The peer whose frame
 * is being handled cannot get another frame delivered before that one's handler returns,
 * so what it sends meanwhile is read and kept, and delivered after: when two ranks stream
 * whole messages to each other from their handlers, each may hold up to the other's message
 * in memory (the contracts allow nothing better: neither handler may return before its
 * message is written, and neither peer's next frame may be delivered before its handler
 * returns). A nested send to the connection the outer send is still writing is copied and
 * written after it.
 *
 * <h2>Wire</h2>
 * After the {@linkplain Handshake handshake}, a connection carries frames: a
 * {@link FrameCodec} header, and for EAGER and DATA frames the payload. Every header is
 * checked before anything is allocated for it; payloads are at most the eager limit (EAGER)
 * or the fragment size (DATA), which both ranks agree on in the handshake.
 *
 * <h2>Failure</h2>
 * A stranger (no proof of the job secret, a replayed handshake, garbage, a timeout) is
 * logged and dropped without disturbing any other connection. A job peer that breaks the
 * protocol, or whose connection ends without a CLOSE frame first, is lost: its connection is
 * closed, {@link PeerListener#onPeerLost} is told, and sends to it throw
 * {@link PeerUnreachableException}.
 */
public final class TcpTransport implements Transport, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.mpi4j.transport.tcp");

    /** Frames delivered by one nested level of the event loop, at most this deep. */
    static final int MAX_NESTED_DELIVERY = 8;
    /** Bytes read from one connection in one turn before the others get theirs. */
    private static final long READ_BUDGET = 4L << 20;
    /** The size of a chunk of data read from a connection whose frames cannot be delivered yet. */
    static final int CHUNK_BYTES = 64 * 1024;
    /** How long a sender whose socket is full polls before it blocks in select. */
    private static final long WRITE_SPIN_NANOS = 50_000;
    /** Polling threads keep the I/O thread aside until none has polled for this long. */
    static final long IDLE_POLLERS_NANOS = 500_000;
    /** Idle buffers kept for reuse; beyond these, buffers freed by a burst go back to the garbage collector. */
    private static final int POOLED_CHUNKS = 64;
    private static final int POOLED_BIG = 8;
    /** Payloads in native memory above this size are written from where they are. */
    private static final int GATHER_THRESHOLD = 8 * 1024;
    /** How many handshake failures are logged one by one before they are only counted. */
    private static final int LOGGED_REJECTIONS = 50;

    // ------------------------------------------------------------------ options

    /**
     * The transport's settings. Every rank of a job must use the same eager limit and fragment
     * size (the handshake refuses ranks that differ).
     *
     * @param eagerLimit the largest message sent in one EAGER frame (default 64 KiB)
     * @param maxFragment the largest DATA payload (default 256 KiB: a fragment still fits in a
     *     core's L2 cache when the receiver copies it out, and per-fragment costs — a header, a
     *     handler call, a syscall or two — stay under 2% of its time on the wire)
     * @param connectTimeout how long a send waits for a connection to be made, retries included
     * @param handshakeTimeout how long a connection may take to authenticate (default 5 s)
     * @param closeLinger how long {@link #close()} waits for peers to close their side
     * @param maxPendingHandshakes connections being authenticated at once; more are dropped
     * @param socketBufferBytes SO_SNDBUF and SO_RCVBUF, or 0 for the system's (auto-tuned) default
     */
    public record Options(long eagerLimit, long maxFragment, Duration connectTimeout, Duration handshakeTimeout,
            Duration closeLinger, int maxPendingHandshakes, int socketBufferBytes) {

        /** The defaults. */
        public static Options defaults() {
            return new Options(64 * 1024, 256 * 1024, Duration.ofSeconds(30), Duration.ofSeconds(5),
                    Duration.ofSeconds(2), 64, 0);
        }

        /** Checks the settings. */
        public Options {
            if (eagerLimit < 0 || eagerLimit > (16 << 20)) {
                throw new IllegalArgumentException("eagerLimit must be in [0, 16 MiB]: " + eagerLimit);
            }
            if (maxFragment < 1 || maxFragment > (64 << 20)) {
                throw new IllegalArgumentException("maxFragment must be in [1, 64 MiB]: " + maxFragment);
            }
            positive(connectTimeout, "connectTimeout");
            positive(handshakeTimeout, "handshakeTimeout");
            Objects.requireNonNull(closeLinger, "closeLinger");
            if (closeLinger.isNegative()) {
                throw new IllegalArgumentException("closeLinger < 0: " + closeLinger);
            }
            if (maxPendingHandshakes < 1) {
                throw new IllegalArgumentException("maxPendingHandshakes < 1: " + maxPendingHandshakes);
            }
            if (socketBufferBytes < 0) {
                throw new IllegalArgumentException("socketBufferBytes < 0: " + socketBufferBytes);
            }
        }

        private static void positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
        }

        /** Returns these options with another eager limit. */
        public Options withEagerLimit(long v) {
            return new Options(v, maxFragment, connectTimeout, handshakeTimeout, closeLinger, maxPendingHandshakes,
                    socketBufferBytes);
        }

        /** Returns these options with another fragment size. */
        public Options withMaxFragment(long v) {
            return new Options(eagerLimit, v, connectTimeout, handshakeTimeout, closeLinger, maxPendingHandshakes,
                    socketBufferBytes);
        }

        /** Returns these options with another connect timeout. */
        public Options withConnectTimeout(Duration v) {
            return new Options(eagerLimit, maxFragment, v, handshakeTimeout, closeLinger, maxPendingHandshakes,
                    socketBufferBytes);
        }

        /** Returns these options with another handshake timeout. */
        public Options withHandshakeTimeout(Duration v) {
            return new Options(eagerLimit, maxFragment, connectTimeout, v, closeLinger, maxPendingHandshakes,
                    socketBufferBytes);
        }

        /** Returns these options with another close linger time. */
        public Options withCloseLinger(Duration v) {
            return new Options(eagerLimit, maxFragment, connectTimeout, handshakeTimeout, v, maxPendingHandshakes,
                    socketBufferBytes);
        }

        /** Returns these options with another bound on concurrent handshakes. */
        public Options withMaxPendingHandshakes(int v) {
            return new Options(eagerLimit, maxFragment, connectTimeout, handshakeTimeout, closeLinger, v,
                    socketBufferBytes);
        }

        /** Returns these options with explicit socket buffer sizes (0: the system's default). */
        public Options withSocketBufferBytes(int v) {
            return new Options(eagerLimit, maxFragment, connectTimeout, handshakeTimeout, closeLinger,
                    maxPendingHandshakes, v);
        }
    }

    // ------------------------------------------------------------------ state

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int CLOSING = 2;
    private static final int CLOSED = 3;

    private final int rank;
    private final int size;
    private final Options options;
    private final long eagerLimit;
    private final long maxFragment;
    private final long maxPayload;
    private final Handshake handshake;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final InetSocketAddress localAddress;
    private final Peer[] peers;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Object lifecycle = new Object();

    private volatile int state = NEW;
    private volatile boolean stopping;
    private volatile FrameHandler handler;
    private volatile PeerListener listener;
    private volatile IntFunction<InetSocketAddress> resolver;
    private volatile Thread io;

    /**
     * The reader role: whoever holds it selects, reads and delivers. The I/O thread holds it
     * unless a waiting thread polls (then that thread reads, as MPI's progress loops do, and no
     * thread has to be woken per message); see {@link #poll()}.
     */
    private final ReentrantLock reader = new ReentrantLock();
    /** When a waiting (not parking) thread last polled. */
    private volatile long lastPollNanos = System.nanoTime() - IDLE_POLLERS_NANOS * 1000;
    /** Threads about to park or parked in a wait: the I/O thread must deliver for them. */
    private final java.util.concurrent.atomic.AtomicInteger parkers = new java.util.concurrent.atomic.AtomicInteger();
    /** Whether the I/O thread is in its outermost select, and could give up the reader role. */
    private volatile boolean yieldable;
    private final java.util.concurrent.atomic.AtomicBoolean wakeupRequested = new java.util.concurrent.atomic.AtomicBoolean();
    /** Whether the I/O thread has stepped aside for polling threads. */
    private volatile boolean ioIdle;

    // Touched only by the holder of the reader role.
    private int depth;
    private final List<List<SelectionKey>> readyByDepth = new ArrayList<>();
    private final List<Consumer<SelectionKey>> collectorByDepth = new ArrayList<>();
    private final ArrayDeque<Connection> buffered = new ArrayDeque<>();
    private final List<Pending> handshakes = new ArrayList<>();
    private final ArrayDeque<Chunk> chunkPool = new ArrayDeque<>();
    private final ArrayDeque<Chunk> bigPool = new ArrayDeque<>();
    private int connecting;
    private long nextTimerNanos;
    private long rejections;

    // Statistics, for tests and diagnostics.
    private final AtomicLong allocatedBytes = new AtomicLong();
    private final AtomicLong established = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong violations = new AtomicLong();
    private final AtomicLong ioWriteWaits = new AtomicLong();
    private final AtomicLong keptBytes = new AtomicLong();

    /**
     * Creates the transport of world rank {@code rank} of a job of {@code size} ranks and
     * binds its listening socket.
     *
     * @param secret the job's secret (at least 16 bytes); only a MAC key derived from it is kept
     * @param bind where to listen; port 0 picks a free one (see {@link #localAddress()})
     * @throws IOException if the address cannot be bound
     */
    public TcpTransport(int rank, int size, byte[] secret, InetSocketAddress bind, Options options) throws IOException {
        if (size < 1) {
            throw new IllegalArgumentException("size < 1: " + size);
        }
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank " + rank + " is out of range for a job of " + size);
        }
        Objects.requireNonNull(secret, "secret");
        if (secret.length < 16) {
            throw new IllegalArgumentException("a job secret has at least 16 bytes; this one has " + secret.length);
        }
        Objects.requireNonNull(bind, "bind");
        this.rank = rank;
        this.size = size;
        this.options = Objects.requireNonNull(options, "options");
        this.eagerLimit = options.eagerLimit();
        this.maxFragment = options.maxFragment();
        this.maxPayload = Math.max(eagerLimit, maxFragment);
        this.handshake = new Handshake(secret);
        this.peers = new Peer[size];
        for (int r = 0; r < size; r++) {
            peers[r] = new Peer(r);
        }
        Selector sel = Selector.open();
        ServerSocketChannel srv = null;
        try {
            srv = ServerSocketChannel.open();
            srv.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            srv.bind(bind, Math.max(128, Math.min(size, 4096)));
            srv.configureBlocking(false);
            this.localAddress = (InetSocketAddress) srv.getLocalAddress();
        } catch (IOException | RuntimeException e) {
            closeQuietly(srv);
            closeQuietly(sel);
            throw e;
        }
        this.selector = sel;
        this.server = srv;
    }

    /** Creates the transport with the default options. */
    public TcpTransport(int rank, int size, byte[] secret, InetSocketAddress bind) throws IOException {
        this(rank, size, secret, bind, Options.defaults());
    }

    /**
     * Returns the address the transport listens on, to publish at the rendezvous. If it was
     * bound to a wildcard address, publish the host's reachable address with this port.
     */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Returns this transport's world rank. */
    public int rank() {
        return rank;
    }

    /** Returns the job's size. */
    public int size() {
        return size;
    }

    /**
     * Starts the I/O thread: from now on connections are accepted and frames delivered to
     * {@code handler}, and {@code listener} (null: none) is told of peers that are lost.
     */
    public void start(FrameHandler handler, PeerListener listener) {
        Objects.requireNonNull(handler, "handler");
        synchronized (lifecycle) {
            if (state != NEW) {
                throw new IllegalStateException(this + " was already started");
            }
            this.handler = handler;
            this.listener = listener == null ? (r, why) -> { } : listener;
            try {
                server.register(selector, SelectionKey.OP_ACCEPT, server);
            } catch (IOException e) {
                throw new IllegalStateException("cannot register the listening socket", e);
            }
            Thread t = Thread.ofPlatform().name("mpi4j-tcp-io-" + rank).daemon(true).stackSize(16L << 20)
                    .unstarted(this::run);
            io = t;
            state = RUNNING;
            t.start();
        }
    }

    /** Tells the transport where its peers listen (entries for unknown or this rank are ignored). */
    public void connectTo(Map<Integer, InetSocketAddress> addresses) {
        Map<Integer, InetSocketAddress> copy = Map.copyOf(addresses);
        connectTo(copy::get);
    }

    /**
     * Tells the transport how to find where a peer listens. The resolver is called, once per
     * connection attempt, on the I/O thread: it must not block for long. A null answer fails
     * the peer.
     */
    public void connectTo(IntFunction<InetSocketAddress> resolver) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /**
     * Connects to every peer now instead of on first use, and waits until every connection is
     * up. Every rank of the job must call it (each connects to the ranks above it, and waits
     * for those below).
     *
     * @throws PeerUnreachableException naming the first peer that could not be connected
     * @throws MpiException of class {@link ErrorClass#TIMEOUT} if not all were connected in time
     */
    public void connectAll(Duration timeout) {
        checkRunning();
        for (int r = rank + 1; r < size; r++) {
            Peer p = peers[r];
            submit(() -> startConnect(p));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Peer p : peers) {
            if (p.rank == rank) {
                continue;
            }
            synchronized (p) {
                while (p.conn == null && p.gone == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || state != RUNNING) {
                        throw new MpiException(ErrorClass.TIMEOUT, "rank " + rank + ": rank " + p.rank
                                + " did not connect within " + timeout);
                    }
                    waitOn(p, Math.min(left, 100_000_000L));
                }
            }
            if (p.gone != null) {
                throw unreachable(p);
            }
        }
    }

    /** Returns whether a connection to {@code peer} is up. */
    public boolean isConnected(int peer) {
        Connection c = peers[peer].conn;
        return c != null && c.dead == null;
    }

    // ================================================================== Transport

    @Override
    public long eagerLimit(int peer) {
        return eagerLimit;
    }

    @Override
    public long maxFragment(int peer) {
        return maxFragment;
    }

    @Override
    public boolean supportsGet(int peer) {
        return false;
    }

    @Override
    public void get(int peer, Object attachment, long srcOffset, Buf dst, long dstOffset, long bytes) {
        throw new UnsupportedOperationException("TCP cannot read another process's memory: rendezvous data is streamed");
    }

    /**
     * Reads and delivers what has arrived, on the calling thread, and returns the frames
     * delivered. A thread that waits calls this in its loop: while any does, the I/O thread
     * stands aside and the waiting threads read in turn (one at a time; the others get 0), so
     * a message costs no thread wake-up. When no thread has polled for a while, or one is about
     * to {@linkplain #parking park}, the I/O thread takes over again. Called from a frame
     * handler or a completion callback (code that waits while it holds the reader role), it
     * runs the event loop once, nested, so such a wait makes progress.
     */
    @Override
    public int poll() {
        if (reader.isHeldByCurrentThread()) {
            if (depth > MAX_NESTED_DELIVERY) {
                return 0;
            }
            depth++;
            try {
                return pumpOnce(0);
            } finally {
                depth--;
            }
        }
        if (state != RUNNING || stopping) {
            return 0;
        }
        if (parkers.get() == 0) {
            long now = System.nanoTime();
            if (now - lastPollNanos > IDLE_POLLERS_NANOS / 10) { // a shared line: write it only now and then
                lastPollNanos = now;
            }
        }
        if (!reader.tryLock()) {
            if (yieldable && parkers.get() == 0 && wakeupRequested.compareAndSet(false, true)) {
                selector.wakeup(); // the I/O thread is in select: have it step aside
            }
            return 0;
        }
        try {
            return pumpOnce(0);
        } finally {
            reader.unlock();
        }
    }

    /**
     * A thread about to park ({@code true}) or woken ({@code false}) in a wait: while any is
     * parked, the I/O thread reads, so an arriving frame completes the request and unparks it.
     */
    @Override
    public void parking(boolean parked) {
        if (parked) {
            parkers.incrementAndGet();
            lastPollNanos = System.nanoTime() - IDLE_POLLERS_NANOS * 1000;
            if (ioIdle) {
                LockSupport.unpark(io);
            }
        } else {
            parkers.decrementAndGet();
        }
    }

    /** Whether threads poll, so the I/O thread stays aside. */
    private boolean pollersActive() {
        return parkers.get() == 0 && System.nanoTime() - lastPollNanos < IDLE_POLLERS_NANOS;
    }

    @Override
    public void send(int peer, Frame frame, Buf payload, long payloadOffset) {
        Objects.requireNonNull(frame, "frame");
        if (peer < 0 || peer >= size || peer == rank) {
            throw new IllegalArgumentException("rank " + rank + ": cannot send over TCP to rank " + peer
                    + " (job of " + size + ")");
        }
        long len = 0;
        if (frame.type == Frame.EAGER || frame.type == Frame.DATA) {
            len = frame.length;
            long limit = frame.type == Frame.EAGER ? eagerLimit : maxFragment;
            if (len < 0 || len > limit) {
                throw new IllegalArgumentException(Frame.typeName(frame.type) + " payload of " + len
                        + " bytes is outside [0, " + limit + "]");
            }
            if (len > 0) {
                Objects.requireNonNull(payload, "payload");
                if (payloadOffset < 0 || payloadOffset > payload.byteSize() - len) {
                    throw new IllegalArgumentException("payload bytes [" + payloadOffset + ", " + (payloadOffset + len)
                            + ") are not inside " + payload);
                }
            }
        } else if (frame.type < Frame.EAGER || frame.type > Frame.CLOSE) {
            throw new IllegalArgumentException("unknown frame type " + frame.type);
        } else if (frame.length != 0) {
            throw new IllegalArgumentException(Frame.typeName(frame.type) + " frame with a payload length");
        }
        checkRunning();
        Connection c = connection(peers[peer]);
        if (reader.isHeldByCurrentThread()) {
            sendAsReader(c, frame, payload, payloadOffset, len);
        } else {
            sendOnCaller(c, frame, payload, payloadOffset, len);
        }
    }

    private void sendOnCaller(Connection c, Frame f, Buf payload, long off, long len) {
        c.writeLock.lock();
        try {
            if (c.dead != null) {
                throw unreachable(peers[c.peer]);
            }
            writeFrame(c, f, payload, off, len, false);
            flushSpill(c); // frames of handlers this thread ran while it waited to write
        } finally {
            c.spill.clear();
            c.writeLock.unlock();
            if (c.ioWantsLock) {
                selector.wakeup();
            }
        }
    }

    private void flushSpill(Connection c) {
        ByteBuffer b;
        while ((b = c.spill.poll()) != null) {
            writeFully(c, b, reader.isHeldByCurrentThread());
        }
    }

    /** Sends as the holder of the reader role: never waits without keeping the event loop going. */
    private void sendAsReader(Connection c, Frame f, Buf payload, long off, long len) {
        if (c.writeLock.isHeldByCurrentThread()) {
            // A handler nested in this thread's own write to this connection: the outer frame is
            // half written, so this one waits, copied, and goes right after it.
            spill(c, f, payload, off, len);
            return;
        }
        if (!c.writeLock.tryLock()) {
            // A caller's thread holds the lock and may be waiting for us to see the socket
            // writable: keep the event loop going until it lets go.
            c.ioWantsLock = true;
            depth++;
            try {
                while (!c.writeLock.tryLock()) {
                    if (c.dead != null) {
                        throw unreachable(peers[c.peer]);
                    }
                    checkNotStopped();
                    pumpOnce(10);
                }
            } finally {
                depth--;
                c.ioWantsLock = false;
            }
        }
        try {
            if (c.dead != null) {
                throw unreachable(peers[c.peer]);
            }
            writeFrame(c, f, payload, off, len, true);
            flushSpill(c);
        } finally {
            c.spill.clear();
            c.writeLock.unlock();
        }
    }

    /** Writes one frame; the caller holds the connection's write lock. */
    private void writeFrame(Connection c, Frame f, Buf payload, long off, long len, boolean onIo) {
        ByteBuffer sb = c.sendBuf;
        MemorySegment ss = c.sendSeg;
        int cap = sb.capacity();
        FrameCodec.encode(f, ss, 0);
        MemorySegment src = len > 0 ? payload.segment() : null;
        if (len > GATHER_THRESHOLD && src != null && src.isNative()) {
            // Straight from the caller's memory: one gathering write of header and payload.
            ByteBuffer view = src.asSlice(off, len).asByteBuffer();
            sb.clear().limit(HEADER_BYTES);
            ByteBuffer[] g = c.gather;
            g[0] = sb;
            g[1] = view;
            try {
                writeFully(c, g, onIo);
            } finally {
                g[1] = null;
            }
            return;
        }
        // Heap memory (or a small payload): through the connection's direct buffer, in chunks.
        long done = 0;
        int start = HEADER_BYTES;
        do {
            int n = (int) Math.min(cap - start, len - done);
            if (n > 0) {
                payload.copyTo(off + done, ss, start, n);
            }
            sb.clear().limit(start + n);
            writeFully(c, sb, onIo);
            done += n;
            start = 0;
        } while (done < len);
    }

    private void writeFully(Connection c, ByteBuffer b, boolean onIo) {
        while (true) {
            try {
                c.channel.write(b);
            } catch (IOException e) {
                throw writeFailed(c, e);
            }
            if (!b.hasRemaining()) {
                return;
            }
            awaitWritable(c, onIo);
        }
    }

    private void writeFully(Connection c, ByteBuffer[] g, boolean onIo) {
        while (true) {
            try {
                c.channel.write(g);
            } catch (IOException e) {
                throw writeFailed(c, e);
            }
            if (!g[1].hasRemaining() && !g[0].hasRemaining()) {
                return;
            }
            awaitWritable(c, onIo);
        }
    }

    private PeerUnreachableException writeFailed(Connection c, IOException e) {
        if (c.dead == null) {
            fail(c, "rank " + c.peer + ": writing to it failed: " + e, false);
        }
        return unreachable(peers[c.peer]);
    }

    /** Waits until the connection's socket can take more bytes; reading goes on meanwhile (here, if no one else reads). */
    private void awaitWritable(Connection c, boolean onIo) {
        c.writable = false;
        try {
            c.key.interestOpsOr(SelectionKey.OP_WRITE);
        } catch (RuntimeException e) { // the key was cancelled: the connection is gone
            throw unreachable(peers[c.peer]);
        }
        if (onIo) {
            ioWriteWaits.incrementAndGet();
            pumpUntilWritable(c);
        } else {
            c.writeWaiter = Thread.currentThread();
            selector.wakeup();
            try {
                while (!c.writable && c.dead == null && !stopping) {
                    if (reader.tryLock()) {
                        // Nobody reads (the I/O thread stands aside for pollers): be the reader.
                        try {
                            pumpUntilWritable(c);
                        } finally {
                            reader.unlock();
                        }
                    } else {
                        LockSupport.parkNanos(this, 1_000_000L);
                    }
                }
            } finally {
                c.writeWaiter = null;
            }
            if (c.dead != null) {
                throw unreachable(peers[c.peer]);
            }
            checkNotStopped();
        }
    }

    /**
     * Runs the event loop (as the reader) until the connection is writable: first without
     * blocking, for a few microseconds (the peer is most likely draining the socket on another
     * core right now, and a blocking wait would cost a wake-up), then blocking in select.
     */
    private void pumpUntilWritable(Connection c) {
        depth++;
        try {
            long spinUntil = System.nanoTime() + WRITE_SPIN_NANOS;
            while (!c.writable) {
                if (c.dead != null) {
                    throw unreachable(peers[c.peer]);
                }
                checkNotStopped();
                if (System.nanoTime() - spinUntil < 0) {
                    if (pumpOnce(0) == 0 && !c.writable) {
                        Thread.onSpinWait();
                    }
                } else {
                    pumpOnce(100);
                }
            }
        } finally {
            depth--;
        }
    }

    /** Copies a frame for a connection whose write lock this (I/O) thread holds mid-frame. */
    private void spill(Connection c, Frame f, Buf payload, long off, long len) {
        ByteBuffer b = ByteBuffer.allocateDirect(HEADER_BYTES + (int) len);
        allocatedBytes.addAndGet(b.capacity());
        MemorySegment s = MemorySegment.ofBuffer(b);
        FrameCodec.encode(f, s, 0);
        if (len > 0) {
            payload.copyTo(off, s, HEADER_BYTES, len);
        }
        c.spill.add(b);
    }

    // ================================================================== connections

    /** Returns the peer's connection, making it first if needed. */
    private Connection connection(Peer p) {
        Connection c = p.conn;
        if (c != null && c.dead == null) {
            return c;
        }
        if (p.gone != null) {
            throw unreachable(p);
        }
        if (resolver == null) {
            throw new IllegalStateException("rank " + rank + " does not know where rank " + p.rank
                    + " listens: call connectTo first");
        }
        if (reader.isHeldByCurrentThread()) {
            startConnect(p);
            depth++;
            try {
                while (p.conn == null && p.gone == null) {
                    checkNotStopped();
                    pumpOnce(50);
                }
            } finally {
                depth--;
            }
        } else {
            submit(() -> startConnect(p));
            while (p.conn == null && p.gone == null) {
                checkRunning();
                if (!pollersActive() || !reader.tryLock()) {
                    synchronized (p) {
                        if (p.conn == null && p.gone == null) {
                            waitOn(p, pollersActive() ? 1_000_000L : 100_000_000L);
                        }
                    }
                    continue;
                }
                try { // the I/O thread stands aside for pollers: make the connection here
                    depth++;
                    pumpOnce(10);
                } finally {
                    depth--;
                    reader.unlock();
                }
            }
        }
        c = p.conn;
        if (c == null || c.dead != null) {
            throw unreachable(p);
        }
        return c;
    }

    private PeerUnreachableException unreachable(Peer p) {
        String why = p.gone;
        if (why == null) {
            Connection c = p.conn;
            why = c != null && c.dead != null ? c.dead : "rank " + p.rank + " is not connected";
        }
        return new PeerUnreachableException(p.rank, p.finished, "rank " + rank + " cannot reach rank " + p.rank
                + ": " + why);
    }

    private void checkRunning() {
        int s = state;
        if (s != RUNNING) {
            throw new MpiException(ErrorClass.PROC_FINALIZED, "rank " + rank + "'s TCP transport is "
                    + (s == NEW ? "not started" : "closed"));
        }
    }

    private void checkNotStopped() {
        if (stopping) {
            throw new MpiException(ErrorClass.PROC_FINALIZED, "rank " + rank + "'s TCP transport is closed");
        }
    }

    private static void waitOn(Object monitor, long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(monitor, Math.max(1, nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MpiException(ErrorClass.INTERN, "interrupted while connecting", e);
        }
    }

    private void submit(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    // ================================================================== the I/O thread

    private void run() {
        try {
            long idleNanos = IDLE_POLLERS_NANOS;
            while (!stopping) {
                if (pollersActive()) {
                    // Stand aside. A waiter about to park unparks this thread at once; otherwise look
                    // again now and then, less often while the pollers keep going (up to 2 ms).
                    ioIdle = true;
                    if (pollersActive()) {
                        LockSupport.parkNanos(this, idleNanos);
                        idleNanos = Math.min(idleNanos * 2, 4 * IDLE_POLLERS_NANOS);
                    }
                    ioIdle = false;
                    continue;
                }
                idleNanos = IDLE_POLLERS_NANOS;
                reader.lock();
                try {
                    pumpOnce(1000);
                } catch (MpiException e) {
                    if (!stopping) {
                        LOG.log(Level.ERROR, "rank " + rank + ": TCP event loop", e);
                    }
                } catch (Throwable t) {
                    LOG.log(Level.ERROR, "rank " + rank + ": TCP event loop failed; continuing", t);
                    LockSupport.parkNanos(1_000_000L);
                } finally {
                    reader.unlock();
                }
            }
        } finally {
            boolean locked = false;
            try {
                locked = reader.tryLock(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                shutdownIo();
            } finally {
                if (locked) {
                    reader.unlock();
                }
            }
        }
    }

    /**
     * One turn of the event loop at the current depth: run submitted tasks, wait up to
     * {@code timeoutMillis} (0: not at all) for readiness, handle what is ready, service
     * connections with buffered frames, run timers. Returns the frames delivered.
     */
    private int pumpOnce(long timeoutMillis) {
        Runnable t;
        while ((t = tasks.poll()) != null) {
            t.run();
        }
        int d = depth;
        while (readyByDepth.size() <= d) {
            List<SelectionKey> l = new ArrayList<>();
            readyByDepth.add(l);
            collectorByDepth.add(l::add);
        }
        List<SelectionKey> ready = readyByDepth.get(d);
        Consumer<SelectionKey> collect = collectorByDepth.get(d);
        long timeout = timeoutMillis;
        if (connecting > 0 || !handshakes.isEmpty()) {
            timeout = Math.min(timeout == 0 ? Long.MAX_VALUE : timeout, 50);
        }
        try {
            if (timeoutMillis == 0 || hasDeliverable() || !tasks.isEmpty()) {
                selector.selectNow(collect);
            } else if (d == 0 && Thread.currentThread() == io) {
                // The outermost select of the I/O thread: a polling thread may ask it to step aside.
                yieldable = true;
                try {
                    if (!pollersActive()) {
                        selector.select(collect, timeout);
                    } else {
                        selector.selectNow(collect);
                    }
                } finally {
                    yieldable = false;
                    wakeupRequested.set(false);
                }
            } else {
                selector.select(collect, timeout);
            }
        } catch (IOException e) {
            throw new MpiException(ErrorClass.INTERN, "rank " + rank + ": select failed", e);
        }
        int delivered = 0;
        for (int i = 0; i < ready.size(); i++) {
            delivered += handle(ready.get(i));
        }
        ready.clear();
        delivered += serviceBuffered();
        long now = System.nanoTime();
        if (now - nextTimerNanos >= 0 && (connecting > 0 || !handshakes.isEmpty())) {
            nextTimerNanos = now + 20_000_000L;
            timers(now);
        }
        return delivered;
    }

    private boolean hasDeliverable() {
        if (depth > MAX_NESTED_DELIVERY) {
            return false;
        }
        for (Connection c : buffered) {
            if (!c.busy) {
                return true;
            }
        }
        return false;
    }

    private int handle(SelectionKey k) {
        if (!k.isValid()) {
            return 0;
        }
        Object a = k.attachment();
        int ops;
        try {
            ops = k.readyOps();
        } catch (RuntimeException e) {
            return 0;
        }
        if (a instanceof Connection c) {
            if ((ops & SelectionKey.OP_WRITE) != 0) {
                try {
                    k.interestOpsAnd(~SelectionKey.OP_WRITE);
                } catch (RuntimeException ignored) {
                    // cancelled meanwhile
                }
                c.writable = true;
                Thread w = c.writeWaiter;
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
            if ((ops & SelectionKey.OP_READ) != 0) {
                return service(c, true);
            }
            return 0;
        }
        if (a instanceof Pending h) {
            progress(h);
        } else if (a == server) {
            accept();
        }
        return 0;
    }

    private int serviceBuffered() {
        int n = buffered.size();
        if (n == 0 || depth > MAX_NESTED_DELIVERY) {
            return 0;
        }
        int delivered = 0;
        for (int i = 0; i < n; i++) {
            Connection c = buffered.poll();
            if (c == null) {
                break;
            }
            c.queued = false;
            if (c.dead != null) {
                continue;
            }
            if (c.busy) {
                enqueue(c); // its outer level resumes it
                continue;
            }
            delivered += service(c, false);
        }
        return delivered;
    }

    private void enqueue(Connection c) {
        if (!c.queued) {
            c.queued = true;
            buffered.add(c);
        }
    }

    private void timers(long now) {
        for (int i = handshakes.size() - 1; i >= 0; i--) {
            Pending h = handshakes.get(i);
            if (now - h.deadline > 0) {
                if (h.client) {
                    abandon(h);
                    connectFailed(peers[h.peer], "the handshake did not complete within "
                            + options.handshakeTimeout().toMillis() + " ms");
                } else {
                    reject(h, "did not complete the handshake within " + options.handshakeTimeout().toMillis() + " ms",
                            Level.WARNING);
                }
            }
        }
        if (connecting > 0) {
            for (Peer p : peers) {
                if (!p.connecting) {
                    continue;
                }
                if (now - p.connectDeadline > 0) {
                    if (p.outbound != null) {
                        abandon(p.outbound);
                    }
                    failPeer(p, "could not connect to rank " + p.rank + " within "
                            + options.connectTimeout().toMillis() + " ms" + (p.lastError == null ? "" : ": " + p.lastError));
                } else if (p.outbound == null && !p.awaitingInbound && now - p.retryAt >= 0) {
                    attemptConnect(p);
                }
            }
        }
    }

    // ------------------------------------------------------------------ accepting and connecting

    private void accept() {
        while (true) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "rank " + rank + ": accept failed: " + e);
                return;
            }
            if (ch == null) {
                return;
            }
            String remote = remoteOf(ch);
            if (stopping || state != RUNNING) {
                closeQuietly(ch);
                continue;
            }
            if (handshakes.size() >= options.maxPendingHandshakes()) {
                closeQuietly(ch);
                logRejection("rank " + rank + ": dropped a connection from " + remote + ": "
                        + handshakes.size() + " handshakes already in progress", Level.WARNING);
                continue;
            }
            try {
                configure(ch);
                Pending h = new Pending(false, ch, remote, System.nanoTime() + options.handshakeTimeout().toNanos());
                h.stage = Pending.AWAIT_HELLO;
                h.in = ByteBuffer.allocate(Handshake.HELLO_BYTES);
                h.key = ch.register(selector, SelectionKey.OP_READ, h);
                handshakes.add(h);
            } catch (IOException e) {
                closeQuietly(ch);
                LOG.log(Level.DEBUG, "rank " + rank + ": could not set up a connection from " + remote + ": " + e);
            }
        }
    }

    private void configure(SocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        setIfSupported(ch, jdk.net.ExtendedSocketOptions.TCP_KEEPIDLE, 30);
        setIfSupported(ch, jdk.net.ExtendedSocketOptions.TCP_KEEPINTERVAL, 10);
        setIfSupported(ch, jdk.net.ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
        if (options.socketBufferBytes() > 0) {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, options.socketBufferBytes());
            ch.setOption(StandardSocketOptions.SO_RCVBUF, options.socketBufferBytes());
        }
    }

    private static <T> void setIfSupported(SocketChannel ch, SocketOption<T> option, T value) {
        if (ch.supportedOptions().contains(option)) {
            try {
                ch.setOption(option, value);
            } catch (IOException | UnsupportedOperationException ignored) {
                // best effort
            }
        }
    }

    /** Starts connecting to a peer unless connected or connecting (reader). */
    private void startConnect(Peer p) {
        if (p.conn != null || p.gone != null || p.connecting || stopping) {
            return;
        }
        p.connecting = true;
        connecting++;
        p.awaitingInbound = false;
        p.attempts = 0;
        p.lastError = null;
        p.connectDeadline = System.nanoTime() + options.connectTimeout().toNanos();
        attemptConnect(p);
    }

    private void attemptConnect(Peer p) {
        InetSocketAddress address;
        try {
            address = resolver.apply(p.rank);
        } catch (RuntimeException e) {
            failPeer(p, "cannot find where rank " + p.rank + " listens: " + e);
            return;
        }
        if (address == null) {
            failPeer(p, "no address is known for rank " + p.rank);
            return;
        }
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open();
            configure(ch);
            Pending h = new Pending(true, ch, address.toString(),
                    System.nanoTime() + options.handshakeTimeout().toNanos());
            h.peer = p.rank;
            h.stage = Pending.CONNECTING;
            p.outbound = h;
            handshakes.add(h);
            boolean done = ch.connect(address);
            h.key = ch.register(selector, done ? 0 : SelectionKey.OP_CONNECT, h);
            if (done) {
                clientConnected(h);
            }
        } catch (IOException | RuntimeException e) {
            if (p.outbound != null) {
                abandon(p.outbound);
            }
            closeQuietly(ch);
            connectFailed(p, e.toString());
        }
    }

    /** An attempt failed in a way that may pass (refused, reset, timed out): retry until the deadline. */
    private void connectFailed(Peer p, String why) {
        p.outbound = null;
        p.lastError = why;
        if (!p.connecting || p.conn != null) {
            return;
        }
        long backoff = Math.min(1000L, 10L << Math.min(p.attempts++, 7)) * 1_000_000L;
        p.retryAt = System.nanoTime() + backoff;
        LOG.log(Level.DEBUG, () -> "rank " + rank + ": connecting to rank " + p.rank + " failed (" + why
                + "); retrying");
    }

    /** Closes a handshake's socket and forgets it. */
    private void abandon(Pending h) {
        handshakes.remove(h);
        if (h.key != null) {
            h.key.cancel();
        }
        closeQuietly(h.channel);
        if (h.client && peers[h.peer].outbound == h) {
            peers[h.peer].outbound = null;
        }
    }

    // ------------------------------------------------------------------ the handshake

    private void progress(Pending h) {
        try {
            if (h.stage == Pending.CONNECTING) {
                if (h.channel.finishConnect()) {
                    clientConnected(h);
                }
                return;
            }
            int n = h.channel.read(h.in);
            if (n < 0) {
                throw new EOFException("closed during the handshake");
            }
            if (h.in.hasRemaining()) {
                return;
            }
            h.in.flip();
            switch (h.stage) {
                case Pending.AWAIT_HELLO -> onHello(h);
                case Pending.AWAIT_PROOF -> onProof(h);
                case Pending.AWAIT_WELCOME -> onWelcome(h);
                case Pending.AWAIT_VERDICT -> onVerdict(h);
                default -> throw new IllegalStateException("handshake stage " + h.stage);
            }
        } catch (IOException e) {
            if (h.client) {
                Peer p = peers[h.peer];
                abandon(h);
                if (h.stage == Pending.AWAIT_VERDICT && e instanceof EOFException && ++p.proofRefusals >= 2) {
                    // Only a server that rejects our proof hangs up here: it holds another secret.
                    failPeer(p, "the process listening at " + h.remote + " for rank " + p.rank
                            + " refused this rank's proof of the job secret: it belongs to another job");
                } else if (h.stage == Pending.AWAIT_WELCOME && e instanceof EOFException) {
                    connectFailed(p, "rank " + p.rank + " at " + h.remote + " closed the connection after the HELLO"
                            + " (busy, or another job, or other limits: see its log)");
                } else {
                    connectFailed(p, e.toString());
                }
            } else {
                // An EOF from a job member is the losing half of a simultaneous connect: not news.
                Level level = h.peer >= 0 && (peers[h.peer].conn != null || peers[h.peer].connecting)
                        ? Level.DEBUG : Level.WARNING;
                reject(h, e.getMessage() == null ? e.toString() : e.getMessage(), level);
            }
        }
    }

    private void clientConnected(Pending h) throws IOException {
        h.stage = Pending.AWAIT_WELCOME;
        h.myNonce = handshake.nonce();
        h.hello = Handshake.hello(size, rank, h.peer, eagerLimit, maxFragment, h.myNonce);
        writeHandshake(h, h.hello.duplicate());
        h.in = ByteBuffer.allocate(Handshake.WELCOME_BYTES);
        h.key.interestOps(SelectionKey.OP_READ);
    }

    private static void writeHandshake(Pending h, ByteBuffer b) throws IOException {
        // A few dozen bytes into an empty send buffer: always written at once, or the peer is broken.
        h.channel.write(b);
        if (b.hasRemaining()) {
            throw new IOException("could not write " + b.limit() + " handshake bytes at once");
        }
    }

    private void onHello(Pending h) throws IOException {
        Handshake.Hello m = Handshake.readHello(h.in);
        String problem = null;
        if (m.magic() != Handshake.MAGIC) {
            problem = String.format("not an mpi4j TCP connection (first bytes %08x)", m.magic());
        } else if (m.version() != Handshake.VERSION) {
            problem = "speaks protocol version " + m.version() + ", not " + Handshake.VERSION;
        } else if (m.jobSize() != size) {
            problem = "claims a job of " + m.jobSize() + " ranks, not " + size;
        } else if (m.serverRank() != rank) {
            problem = "wants rank " + m.serverRank() + ", not " + rank;
        } else if (m.clientRank() < 0 || m.clientRank() >= size || m.clientRank() == rank) {
            problem = "claims rank " + m.clientRank() + ", which is out of range or this rank";
        } else if (m.eagerLimit() != eagerLimit || m.maxFragment() != maxFragment) {
            problem = "uses an eager limit of " + m.eagerLimit() + " and fragments of " + m.maxFragment()
                    + " bytes, not " + eagerLimit + " and " + maxFragment;
        }
        if (problem != null) {
            reject(h, problem, Level.WARNING);
            return;
        }
        h.peer = m.clientRank();
        h.hello = copy(h.in);
        h.myNonce = handshake.nonce();
        h.welcome = Handshake.welcome(rank, h.myNonce);
        writeHandshake(h, h.welcome.duplicate());
        h.stage = Pending.AWAIT_PROOF;
        h.in = ByteBuffer.allocate(Handshake.PROOF_BYTES);
    }

    private void onProof(Pending h) throws IOException {
        byte[] expected = handshake.clientProof(h.hello, h.welcome);
        if (!Handshake.same(expected, Handshake.macOf(h.in, 0))) {
            reject(h, "claims rank " + h.peer + " but did not prove the job secret (a wrong secret, or a replayed handshake)",
                    Level.WARNING);
            return;
        }
        Peer p = peers[h.peer];
        byte status;
        String why = null;
        boolean race = false;
        if (stopping || state != RUNNING || p.gone != null) {
            status = Handshake.GONE;
            why = "rank " + p.rank + " is no longer reachable from here";
        } else if (p.conn != null) {
            status = Handshake.DUPLICATE;
            why = "rank " + p.rank + " is already connected";
            // The losing half of a simultaneous connect arrives after ours won: not news.
            race = p.conn.outbound && rank < p.rank;
        } else if (p.outbound != null && rank < p.rank) {
            status = Handshake.DUPLICATE;
            why = "simultaneous connect: this rank's own connection to rank " + p.rank + " wins";
            race = true;
        } else {
            status = Handshake.ACCEPT;
        }
        writeHandshake(h, Handshake.verdict(status, handshake.serverProof(status, h.hello, h.welcome)));
        if (status == Handshake.ACCEPT) {
            establish(h);
        } else {
            String w = why;
            handshakes.remove(h);
            h.key.cancel();
            closeQuietly(h.channel);
            LOG.log(race ? Level.DEBUG : Level.INFO, () -> "rank " + rank + ": refused a connection from " + h.remote
                    + ": " + w);
        }
    }

    private void onWelcome(Pending h) throws IOException {
        Handshake.Welcome w = Handshake.readWelcome(h.in);
        Peer p = peers[h.peer];
        if (w.magic() != Handshake.MAGIC || w.version() != Handshake.VERSION || w.serverRank() != h.peer) {
            abandon(h);
            failPeer(p, "the process listening at " + h.remote + " is not rank " + h.peer + " of this job ("
                    + (w.magic() != Handshake.MAGIC ? "not mpi4j" : "version " + w.version() + ", rank " + w.serverRank())
                    + ")");
            return;
        }
        h.welcome = copy(h.in);
        writeHandshake(h, Handshake.proof(handshake.clientProof(h.hello, h.welcome)));
        h.stage = Pending.AWAIT_VERDICT;
        h.in = ByteBuffer.allocate(Handshake.VERDICT_BYTES);
    }

    private void onVerdict(Pending h) {
        byte status = Handshake.verdictStatus(h.in);
        byte[] expected = handshake.serverProof(status, h.hello, h.welcome);
        Peer p = peers[h.peer];
        if (!Handshake.same(expected, Handshake.macOf(h.in, 8))) {
            abandon(h);
            failPeer(p, "the process listening at " + h.remote + " did not prove the job secret: it is not rank "
                    + h.peer + " of this job");
            return;
        }
        switch (status) {
            case Handshake.ACCEPT -> establish(h);
            case Handshake.DUPLICATE -> {
                // Rank p's own connection to us wins; wait for it (until the connect deadline).
                abandon(h);
                p.awaitingInbound = p.conn == null;
                LOG.log(Level.DEBUG, () -> "rank " + rank + ": rank " + p.rank + " refused a duplicate connection");
            }
            default -> {
                abandon(h);
                failPeer(p, "rank " + p.rank + " refused the connection: " + Handshake.statusName(status));
            }
        }
    }

    private void reject(Pending h, String why, Level level) {
        handshakes.remove(h);
        if (h.key != null) {
            h.key.cancel();
        }
        closeQuietly(h.channel);
        rejected.incrementAndGet();
        logRejection("rank " + rank + ": dropped the connection from " + h.remote + ": " + why, level);
    }

    private void logRejection(String message, Level level) {
        long n = ++rejections;
        if (level != Level.WARNING || n <= LOGGED_REJECTIONS) {
            LOG.log(level, message);
        } else if (n % 1000 == 0) {
            LOG.log(Level.WARNING, message + " (" + n + " connections dropped so far; most are not logged)");
        }
    }

    private void establish(Pending h) {
        Peer p = peers[h.peer];
        handshakes.remove(h);
        if (p.outbound != null && p.outbound != h) {
            abandon(p.outbound); // the simultaneous connect that loses
        }
        p.outbound = null;
        if (p.connecting) {
            p.connecting = false;
            connecting--;
        }
        p.awaitingInbound = false;
        // Whole frames up to 64 KiB are read into (and written from) the connection's own buffers;
        // larger ones go through pooled buffers, so a large eager limit does not cost every connection.
        Connection c = new Connection(h.peer, h.channel, h.key, h.remote,
                (int) (HEADER_BYTES + Math.min(eagerLimit, 64 * 1024)), h.client);
        allocatedBytes.addAndGet(c.rbuf.capacity() + c.sendBuf.capacity());
        h.key.attach(c);
        h.key.interestOps(SelectionKey.OP_READ);
        established.incrementAndGet();
        synchronized (p) {
            p.conn = c;
            p.notifyAll();
        }
        LOG.log(Level.DEBUG, () -> "rank " + rank + ": connected to rank " + p.rank + " (" + (h.client ? "to " : "from ")
                + h.remote + ")");
    }

    // ------------------------------------------------------------------ reading and delivering

    /**
     * Reads from a connection and delivers its complete frames, in order. If its frames
     * cannot be delivered now (one of them is being handled further up this thread's stack,
     * or the stack is too deep), the bytes are only read and kept, so the peer's sends never
     * wait on this thread.
     */
    private int service(Connection c, boolean socketReady) {
        if (c.dead != null) {
            return 0;
        }
        if (c.busy || depth > MAX_NESTED_DELIVERY) {
            if (socketReady) {
                readRaw(c);
            }
            return 0;
        }
        int delivered = 0;
        long budget = READ_BUDGET;
        boolean drained = !socketReady;
        while (c.dead == null) {
            if (c.big != null) {
                Chunk b = c.big;
                if (b.bb.hasRemaining()) {
                    if ((drained && c.backlog.isEmpty()) || budget <= 0) {
                        break;
                    }
                    int n = fill(c, b.seg, b.bb);
                    if (n < 0) {
                        endOfStream(c);
                        return delivered;
                    }
                    if (n == 0) {
                        break;
                    }
                    budget -= n;
                    drained |= c.lastShort;
                    continue;
                }
                c.big = null;
                deliver(c, b.buf, HEADER_BYTES);
                delivered++;
                if (c.dead == null && bigPool.size() < POOLED_BIG) {
                    bigPool.push(b);
                }
                continue;
            }
            int have = c.rend - c.rpos;
            if (have >= HEADER_BYTES) {
                Frame f = c.frame;
                try {
                    FrameCodec.decode(c.rseg, c.rpos, f, maxPayload);
                    check(f);
                } catch (ProtocolException e) {
                    violation(c, e.getMessage());
                    return delivered;
                }
                int total = HEADER_BYTES + (int) f.length;
                if (total <= c.rcap) {
                    if (have >= total) {
                        int at = c.rpos;
                        c.rpos += total;
                        deliver(c, c.rview, at + HEADER_BYTES);
                        delivered++;
                        continue;
                    }
                    if (c.rpos + total > c.rcap) {
                        compact(c);
                    }
                } else {
                    // A large frame: into a pooled buffer of its own, read straight from the socket.
                    Chunk b = bigPool.isEmpty() ? newChunk(HEADER_BYTES + (int) maxPayload) : bigPool.pop();
                    MemorySegment.copy(c.rseg, c.rpos, b.seg, 0, have);
                    b.bb.clear().limit(total).position(have);
                    c.rpos = c.rend = 0;
                    c.big = b;
                    continue;
                }
            } else if (have == 0) {
                c.rpos = c.rend = 0;
            } else if (c.rcap - c.rpos < HEADER_BYTES) {
                compact(c);
            }
            if ((drained && c.backlog.isEmpty()) || budget <= 0) {
                break;
            }
            c.rbuf.limit(c.rcap).position(c.rend);
            int n = fill(c, c.rseg, c.rbuf);
            if (n < 0) {
                endOfStream(c);
                return delivered;
            }
            if (n == 0) {
                break;
            }
            c.rend += n;
            budget -= n;
            drained |= c.lastShort;
        }
        if (c.dead == null && !c.backlog.isEmpty()) {
            enqueue(c);
        }
        return delivered;
    }

    /** Checks what {@link FrameCodec#decode} cannot know: this transport's limits and the job's size. */
    private void check(Frame f) throws ProtocolException {
        switch (f.type) {
            case Frame.EAGER, Frame.RTS -> {
                if (f.type == Frame.EAGER && f.length > eagerLimit) {
                    throw new ProtocolException("EAGER payload of " + f.length + " bytes exceeds the eager limit of "
                            + eagerLimit);
                }
                if (f.source < 0 || f.source >= size) {
                    throw new ProtocolException(Frame.typeName(f.type) + " from source rank " + f.source
                            + ", out of range for a job of " + size);
                }
                if (f.context < 0) {
                    throw new ProtocolException(Frame.typeName(f.type) + " for context " + f.context);
                }
            }
            case Frame.DATA -> {
                if (f.length > maxFragment) {
                    throw new ProtocolException("DATA payload of " + f.length + " bytes exceeds the fragment size of "
                            + maxFragment);
                }
            }
            case Frame.CANCEL -> {
                if (f.context < 0) {
                    throw new ProtocolException("CANCEL for context " + f.context);
                }
            }
            default -> {
                // no further constraints
            }
        }
    }

    private void deliver(Connection c, Buf payload, long offset) {
        Frame f = c.frame;
        boolean carries = f.type == Frame.EAGER || f.type == Frame.DATA;
        if (f.type == Frame.CLOSE) {
            c.closeSeen = true;
        }
        c.busy = true;
        try {
            handler.onFrame(c.peer, f, carries ? payload : null, carries ? offset : 0);
        } catch (PeerUnreachableException e) {
            LOG.log(Level.DEBUG, () -> "rank " + rank + ": handling a frame from rank " + c.peer + ": " + e.getMessage());
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "rank " + rank + ": the frame handler failed on " + Frame.typeName(f.type)
                    + " from rank " + c.peer, t);
        } finally {
            c.busy = false;
        }
    }

    /**
     * Reads into {@code dst} (whose segment view is {@code seg}) from the connection's kept
     * bytes first, then from its socket. Returns the bytes read, or -1 at the end of the stream.
     */
    private int fill(Connection c, MemorySegment seg, ByteBuffer dst) {
        Chunk h;
        while ((h = c.backlog.peekFirst()) != null) {
            int avail = h.bb.position() - h.rd;
            int n = Math.min(avail, dst.remaining());
            if (n > 0) {
                MemorySegment.copy(h.seg, h.rd, seg, dst.position(), n);
                dst.position(dst.position() + n);
                h.rd += n;
            }
            if (h.rd == h.bb.position()) {
                c.backlog.pollFirst();
                if (chunkPool.size() < POOLED_CHUNKS) {
                    chunkPool.push(h);
                }
            }
            if (n > 0) {
                c.lastShort = false;
                return n;
            }
        }
        if (c.eof) {
            return -1;
        }
        int n;
        try {
            n = c.channel.read(dst);
        } catch (IOException e) {
            c.eof = true;
            c.eofReason = e.toString();
            return -1;
        }
        if (n < 0) {
            c.eof = true;
            return -1;
        }
        c.lastShort = dst.hasRemaining();
        return n;
    }

    /** Reads what the socket has into the connection's kept chunks, delivering nothing. */
    private void readRaw(Connection c) {
        if (c.eof) {
            return;
        }
        try {
            for (int i = 0; i < 16; i++) {
                Chunk t = c.backlog.peekLast();
                if (t == null || !t.bb.hasRemaining()) {
                    t = chunkPool.isEmpty() ? newChunk(CHUNK_BYTES) : chunkPool.pop();
                    t.bb.clear();
                    t.rd = 0;
                    c.backlog.addLast(t);
                }
                int n = c.channel.read(t.bb);
                if (n < 0) {
                    c.eof = true;
                    break;
                }
                keptBytes.addAndGet(n);
                if (n == 0 || t.bb.hasRemaining()) {
                    break;
                }
            }
        } catch (IOException e) {
            c.eof = true;
            c.eofReason = e.toString();
        }
        if (c.eof) {
            stopReading(c);
        }
        enqueue(c);
    }

    private static void compact(Connection c) {
        int have = c.rend - c.rpos;
        if (have > 0 && c.rpos > 0) {
            MemorySegment.copy(c.rseg, c.rpos, c.rseg, 0, have);
        }
        c.rpos = 0;
        c.rend = have;
    }

    private Chunk newChunk(int capacity) {
        allocatedBytes.addAndGet(capacity);
        return new Chunk(ByteBuffer.allocateDirect(capacity));
    }

    private static void stopReading(Connection c) {
        try {
            c.key.interestOpsAnd(~SelectionKey.OP_READ);
        } catch (RuntimeException ignored) {
            // cancelled
        }
    }

    // ------------------------------------------------------------------ failure

    /** The connection's stream ended (every complete frame before it was delivered). */
    private void endOfStream(Connection c) {
        stopReading(c);
        boolean partial = c.big != null || c.rend > c.rpos;
        if (state != RUNNING) {
            fail(c, "rank " + c.peer + " closed its connection", true);
        } else if (c.closeSeen && !partial && c.eofReason == null) {
            fail(c, "rank " + c.peer + " finished and closed its connection", true);
        } else if (partial) {
            fail(c, "rank " + c.peer + "'s connection ended in the middle of a frame"
                    + (c.eofReason == null ? "" : " (" + c.eofReason + ")"), false);
        } else {
            fail(c, "rank " + c.peer + "'s connection " + (c.eofReason == null ? "was closed" : "failed (" + c.eofReason + ")")
                    + " before it finished (its process died, or the network failed)", false);
        }
    }

    private void violation(Connection c, String what) {
        violations.incrementAndGet();
        fail(c, "rank " + c.peer + " broke the wire protocol: " + what, false);
    }

    /**
     * Ends a connection: closes it, marks the peer gone, wakes its waiting senders and (on the
     * I/O thread) tells the listener. Any thread.
     */
    private void fail(Connection c, String why, boolean finished) {
        synchronized (c) {
            if (c.dead != null) {
                return;
            }
            c.dead = why;
        }
        Peer p = peers[c.peer];
        synchronized (p) {
            if (p.conn == c && p.gone == null) {
                p.finished = finished;
                p.gone = why;
            }
            p.notifyAll();
        }
        if (c.key != null) {
            c.key.cancel();
        }
        closeQuietly(c.channel);
        Thread w = c.writeWaiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
        synchronized (lifecycle) {
            lifecycle.notifyAll();
        }
        if (reader.isHeldByCurrentThread()) {
            report(p, why, finished);
        } else {
            submit(() -> report(p, why, finished));
        }
    }

    /** Fails a peer that has no connection (it could not be made). Reader. */
    private void failPeer(Peer p, String why) {
        if (p.connecting) {
            p.connecting = false;
            connecting--;
        }
        if (p.outbound != null) {
            abandon(p.outbound);
        }
        synchronized (p) {
            if (p.gone == null && p.conn == null) {
                p.gone = why;
            }
            p.notifyAll();
        }
        report(p, why, false);
    }

    private void report(Peer p, String why, boolean finished) {
        if (p.reported || state != RUNNING) {
            return;
        }
        p.reported = true;
        PeerListener l = listener;
        if (finished) {
            LOG.log(Level.DEBUG, () -> "rank " + rank + ": " + why);
        } else {
            LOG.log(Level.WARNING, "rank " + rank + ": lost rank " + p.rank + ": " + why);
        }
        try {
            if (finished) {
                l.onPeerFinished(p.rank);
            } else {
                l.onPeerLost(p.rank, why);
            }
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "rank " + rank + ": the peer listener failed", t);
        }
    }

    // ================================================================== closing

    /**
     * Closes the transport in order: lets every frame in progress finish, half-closes every
     * connection, keeps reading (and delivering) until each peer has closed its side or the
     * linger time has passed, then closes everything and stops the I/O thread. Call it after
     * the matching layer has sent its CLOSE frames. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (state == NEW) {
                state = CLOSED;
                closeQuietly(server);
                closeQuietly(selector);
                return;
            }
            if (state != RUNNING) {
                return;
            }
            state = CLOSING;
        }
        long deadline = System.nanoTime() + options.closeLinger().toNanos();
        boolean onIo = reader.isHeldByCurrentThread();
        List<Connection> open = new ArrayList<>();
        for (Peer p : peers) {
            Connection c = p.conn;
            if (c == null || c.dead != null) {
                continue;
            }
            boolean locked;
            try {
                locked = onIo ? c.writeLock.tryLock()
                        : c.writeLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                locked = false;
            }
            if (!locked) {
                continue; // a frame is stuck half written: close it hard below
            }
            try {
                c.channel.shutdownOutput();
                open.add(c);
            } catch (IOException e) {
                // already broken
            } finally {
                c.writeLock.unlock();
            }
        }
        if (!onIo) {
            lastPollNanos = System.nanoTime() - IDLE_POLLERS_NANOS * 1000; // the I/O thread reads the ends
            LockSupport.unpark(io);
            synchronized (lifecycle) {
                for (Connection c : open) {
                    while (c.dead == null && System.nanoTime() - deadline < 0) {
                        waitOn(lifecycle, Math.min(deadline - System.nanoTime(), 20_000_000L));
                    }
                }
            }
        }
        stop(Thread.currentThread() == io);
    }

    /**
     * Drops every connection at once, without waiting for anything: for a rank that is
     * aborting. Peers see the connections end without a CLOSE frame, and lose this rank.
     */
    public void abort() {
        synchronized (lifecycle) {
            if (state == NEW) {
                state = CLOSED;
                closeQuietly(server);
                closeQuietly(selector);
                return;
            }
            if (state == CLOSED) {
                return;
            }
            state = CLOSING;
        }
        for (Peer p : peers) {
            Connection c = p.conn;
            if (c != null) {
                try {
                    // The end of the stream goes out at once: the socket itself is only closed when the
                    // selector lets go of it, which waits for the I/O thread (it may be in a handler).
                    c.channel.shutdownOutput();
                } catch (IOException | RuntimeException ignored) {
                    // already closed
                }
                try {
                    c.channel.setOption(StandardSocketOptions.SO_LINGER, 0); // then a reset, as if the process died
                } catch (IOException | RuntimeException ignored) {
                    // best effort
                }
                closeQuietly(c.channel);
            }
        }
        stop(Thread.currentThread() == io);
    }

    private void stop(boolean onIo) {
        stopping = true;
        selector.wakeup();
        LockSupport.unpark(io);
        Thread t = io;
        if (!onIo && t != null) {
            try {
                t.join(options.closeLinger().toMillis() + 5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lifecycle) {
            state = CLOSED;
        }
    }

    /** The I/O thread's last act: closes every socket and wakes everyone still waiting. */
    private void shutdownIo() {
        for (Pending h : new ArrayList<>(handshakes)) {
            closeQuietly(h.channel);
        }
        handshakes.clear();
        for (Peer p : peers) {
            Connection c = p.conn;
            if (c != null) {
                synchronized (c) {
                    if (c.dead == null) {
                        c.dead = "rank " + rank + "'s TCP transport is closed";
                    }
                }
                closeQuietly(c.channel);
                Thread w = c.writeWaiter;
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
            synchronized (p) {
                if (p.gone == null) {
                    p.gone = "rank " + rank + "'s TCP transport is closed";
                    p.finished = true;
                }
                p.notifyAll();
            }
        }
        closeQuietly(server);
        closeQuietly(selector);
        synchronized (lifecycle) {
            state = CLOSED;
            lifecycle.notifyAll();
        }
    }

    // ================================================================== helpers and state

    private static ByteBuffer copy(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.limit());
        c.put(b.duplicate().position(0));
        return c.flip();
    }

    private static String remoteOf(SocketChannel ch) {
        try {
            SocketAddress a = ch.getRemoteAddress();
            return String.valueOf(a);
        } catch (IOException e) {
            return "?";
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }

    // ---- for tests and diagnostics (package-private)

    /** Bytes of buffers this transport has allocated so far. */
    long allocatedBytes() {
        return allocatedBytes.get();
    }

    /** Connections established so far (both directions). */
    long establishedCount() {
        return established.get();
    }

    /** Incoming connections dropped before or during their handshake. */
    long rejectedCount() {
        return rejected.get();
    }

    /** Connections dropped for breaking the wire protocol after the handshake. */
    long violationCount() {
        return violations.get();
    }

    /** Times the reader had to wait, event loop running, for a socket to take more bytes. */
    long ioWriteWaits() {
        return ioWriteWaits.get();
    }

    /** Bytes read and kept because the frames they belong to could not be delivered yet. */
    long keptBytes() {
        return keptBytes.get();
    }

    /** The local and remote addresses of the connection to {@code peer}, or null. */
    SocketAddress[] connectionEnds(int peer) {
        Connection c = peers[peer].conn;
        if (c == null) {
            return null;
        }
        try {
            return new SocketAddress[] {c.channel.getLocalAddress(), c.channel.getRemoteAddress()};
        } catch (IOException e) {
            return null;
        }
    }

    /** Describes the connections, for a watchdog. */
    public String describe() {
        StringBuilder sb = new StringBuilder(toString()).append(":\n");
        Map<String, Integer> counts = new HashMap<>();
        for (Peer p : peers) {
            if (p.rank == rank) {
                continue;
            }
            Connection c = p.conn;
            String s = c != null && c.dead == null ? "connected" : p.gone != null ? "gone" : "not connected";
            counts.merge(s, 1, Integer::sum);
            if (p.gone != null) {
                sb.append("  rank ").append(p.rank).append(": ").append(p.gone).append('\n');
            }
        }
        sb.append("  ").append(counts).append('\n');
        return sb.toString();
    }

    @Override
    public String toString() {
        return "TcpTransport[rank " + rank + " of " + size + ", " + localAddress + "]";
    }

    /** What this rank knows of one peer. */
    private static final class Peer {
        final int rank;
        /** The established connection, or null; set under the peer's monitor. */
        volatile Connection conn;
        /** Why the peer can no longer be reached, or null. */
        volatile String gone;
        /** Whether it went in order (CLOSE, then end of stream). */
        volatile boolean finished;
        // reader only
        boolean connecting;
        boolean awaitingInbound;
        boolean reported;
        Pending outbound;
        long connectDeadline;
        long retryAt;
        int attempts;
        int proofRefusals;
        String lastError;

        Peer(int rank) {
            this.rank = rank;
        }
    }

    /** A connection being authenticated. Reader only. */
    private static final class Pending {
        static final int CONNECTING = 0;
        static final int AWAIT_WELCOME = 1;
        static final int AWAIT_VERDICT = 2;
        static final int AWAIT_HELLO = 3;
        static final int AWAIT_PROOF = 4;

        final boolean client;
        final SocketChannel channel;
        final String remote;
        final long deadline;
        SelectionKey key;
        /** Client: the rank connected to; server: the rank claimed, once HELLO has been read. */
        int peer = -1;
        int stage;
        ByteBuffer in;
        ByteBuffer hello;
        ByteBuffer welcome;
        byte[] myNonce;

        Pending(boolean client, SocketChannel channel, String remote, long deadline) {
            this.client = client;
            this.channel = channel;
            this.remote = remote;
            this.deadline = deadline;
        }
    }

    /** A direct buffer with its segment and {@code Buf} views, pooled by the reader. */
    static final class Chunk {
        final ByteBuffer bb;
        final MemorySegment seg;
        final Buf buf;
        /** For kept bytes: how far they have been consumed. */
        int rd;

        Chunk(ByteBuffer bb) {
            this.bb = bb;
            this.seg = MemorySegment.ofBuffer(bb);
            this.buf = Buf.of(seg);
        }
    }

    /** An authenticated connection to one peer. */
    static final class Connection {
        final int peer;
        final SocketChannel channel;
        final SelectionKey key;
        final String remote;
        /** Whether this rank made the connection (it was the client). */
        final boolean outbound;
        /** Why it ended, or null while it works. */
        volatile String dead;

        // ---- writing: one frame at a time, under the lock
        final ReentrantLock writeLock = new ReentrantLock();
        final ByteBuffer sendBuf;
        final MemorySegment sendSeg;
        final ByteBuffer[] gather = new ByteBuffer[2];
        /** Frames sent by handlers nested in the write lock holder's own write to this connection. */
        final ArrayDeque<ByteBuffer> spill = new ArrayDeque<>();
        volatile boolean writable;
        volatile Thread writeWaiter;
        volatile boolean ioWantsLock;

        // ---- reading: the reader only
        final ByteBuffer rbuf;
        final MemorySegment rseg;
        final Buf rview;
        final int rcap;
        int rpos;
        int rend;
        final Frame frame = new Frame();
        /** A large frame being read into a buffer of its own. */
        Chunk big;
        /** Bytes read while the connection's frames could not be delivered, in order. */
        final ArrayDeque<Chunk> backlog = new ArrayDeque<>();
        boolean busy;
        boolean queued;
        boolean lastShort;
        boolean eof;
        String eofReason;
        boolean closeSeen;

        Connection(int peer, SocketChannel channel, SelectionKey key, String remote, int bufferBytes, boolean outbound) {
            this.peer = peer;
            this.outbound = outbound;
            this.channel = channel;
            this.key = key;
            this.remote = remote;
            this.rcap = Math.max(bufferBytes, 4096);
            this.rbuf = ByteBuffer.allocateDirect(rcap);
            this.rseg = MemorySegment.ofBuffer(rbuf);
            this.rview = Buf.of(rseg);
            this.sendBuf = ByteBuffer.allocateDirect(Math.max(bufferBytes, 4096));
            this.sendSeg = MemorySegment.ofBuffer(sendBuf);
        }
    }
}
