package org.mpi4j.transport.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import org.mpi4j.Buf;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameHandler;
import org.mpi4j.transport.Transport;

/**
 * The shared-memory transport of one rank, for its peers on the same host: one
 * {@link ShmRing} per ordered pair of ranks, in files of a job directory (normally
 * {@code /dev/shm/mpi4j-<job>}).
 *
 * <h2>Rings</h2>
 *
 * Each rank creates the rings it reads, one per local peer, named {@code <from>-<to>.ring}
 * ({@link #ringFile}), in its constructor: sized, pre-touched and renamed into place, so a
 * peer never maps a half-written file. It attaches to the rings it writes when first
 * needed; the engine should attach them all up front with {@link #connect}, so that no send
 * waits for a peer to start and no page fault happens while messages flow.
 *
 * <h2>Sizes</h2>
 *
 * The ring capacity is the engine's choice ({@link #defaultCapacity}: 1 MiB up to 16 ranks
 * per host, smaller beyond, so that the n(n-1) rings of a host stay within 256 MiB). From it:
 * <ul>
 *   <li>{@link #eagerLimit}: min(32 KiB, capacity/8). Below it, a message goes in one
 *       record and the receiver copies it once out of the ring; a larger one takes a
 *       rendezvous round trip (about a microsecond here), which is cheap next to copying
 *       32 KiB twice, while 32 KiB bounds what an unmatched eager message costs the
 *       receiver (a heap copy in its unexpected queue) and keeps 8 such messages in flight
 *       in a 1 MiB ring.</li>
 *   <li>{@link #maxFragment}: capacity/4 less a record's overhead (256 KiB - 64 for 1 MiB),
 *       so three fragments are in flight: the sender copies one in while the receiver copies
 *       another out. Each one is one record, read in place.</li>
 *   <li>{@link #supportsGet}: false. A process cannot read another's heap; data always takes
 *       two copies, which on this machine beat the single-copy paths (see PERFORMANCE.md).</li>
 * </ul>
 *
 * <h2>Sending</h2>
 *
 * {@link #send} copies the frame's header and payload straight into the ring (payloads of
 * 16 KiB and more through libc's {@code memcpy} where native access is enabled, which
 * writes lines the receiving core holds about three times faster here: see
 * {@code NativeCopy}). Senders to
 * one peer are serialized by a lock per ring (the ring itself is single-producer); senders
 * to different peers do not contend. If the ring is full, the sender makes progress on its
 * own incoming rings while it waits ({@link #poll}), so two ranks streaming to each other
 * cannot deadlock, and backs off: spins for 50 µs (the receiver frees room at copying
 * speed), then yields until a millisecond has passed, then parks 50 µs at a time. Sends
 * that wait are written in the order they began waiting, before any later send to that
 * peer, whichever thread gets room first: so a frame is never overtaken by one that a
 * handler, run by the waiting sender's own poll, sends after it. If the
 * receiver has closed its end, the frame is dropped (the receiver has finalized and reads
 * nothing more); if its process has died without closing, the sender fails with
 * {@link ErrorClass#ABORTED} instead of waiting forever.
 *
 * <h2>Polling</h2>
 *
 * {@link #poll} reads the incoming rings round-robin, at most {@value #RING_BURST} frames
 * from a ring before moving on and {@value #POLL_BUDGET} in one call, delivering each peer's
 * frames in order. As in {@code LocalFabric}, one thread of the rank polls at a time (a CAS
 * lock; others return 0 at once) and the poller may poll again from inside a handler. A
 * poll that finds nothing costs two loads per ring (the next record's word and the
 * producer's state, both normally in this core's cache) and takes no lock. Neither sending
 * nor delivering allocates.
 *
 * <p>Handlers and room: a frame without payload (RTS, CTS, FIN, ...) gives its ring space
 * back before its handler runs, so the matching layer's CTS handler, which streams a whole
 * message from inside the delivery, never holds the ring it came from. A frame with payload
 * holds its space until its handler returns (the payload is read in place). A handler of
 * such a frame that blocks on a full ring to a peer whose handler, at the same moment,
 * blocks on a full ring back, would deadlock: the matching layer's EAGER and DATA handlers
 * only copy and complete requests, and must stay so (or run such sends elsewhere).
 *
 * <h2>Waiting</h2>
 *
 * A process cannot unpark a thread of another without a system call, so
 * {@link #parking} does nothing: a waiter parked by its idle strategy sees a frame that
 * arrives while it sleeps when its park times out. The idle strategy's longest park is
 * therefore the worst added latency of a parked rank; spinning waiters see a frame within
 * a cache-line transfer. (A cross-process doorbell is possible: a sleeping flag in shared
 * memory that a sender checks after committing, and a futex wake through the Foreign
 * Function API to a thread of the receiver that then unparks its waiters; it would cost a
 * sender a fence per frame and about 20 µs per wake-up, against a park timeout of up to 1 ms.)
 *
 * <h2>Closing</h2>
 *
 * {@link #close} marks every ring closed and unmaps it. A ring's file is deleted by whichever
 * of its two ends closes last (the consumer, if the producer has attached; otherwise the
 * producer when it attaches), and the last rank out deletes the job directory once it is
 * empty; {@link #deleteJobDirectory} removes whatever a crashed rank left. A reader that
 * finds a peer's ring closed, and drained, delivers a {@link Frame#CLOSE} from that peer
 * unless the peer sent one itself.
 */
public final class ShmTransport implements Transport, AutoCloseable {
    /** The ring capacity up to 16 ranks per host. */
    public static final long DEFAULT_CAPACITY = 1L << 20;
    /** The largest eager message. */
    public static final long MAX_EAGER = 32L << 10;
    /** How long {@link #send} waits for a peer's ring to appear if {@link #connect} was not called. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(60);
    /** Most frames one {@link #poll} delivers. */
    public static final int POLL_BUDGET = 64;
    /** Most frames read from one ring before the next ring's turn. */
    public static final int RING_BURST = 16;

    private static final long SPIN_NANOS = 50_000;
    private static final long YIELD_NANOS = 1_000_000;
    private static final long PARK_NANOS = 50_000;
    private static final VarHandle POLLER;

    static {
        try {
            POLLER = MethodHandles.lookup().findVarHandle(ShmTransport.class, "poller", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int rank;
    private final int[] peers;
    private final int[] slotOf;
    private final Path dir;
    private final long jobToken;
    private final long capacity;
    private final long eagerLimit;
    private final long maxFragment;
    private final ShmRing[] in;
    private final boolean[] closeReported;
    private final Out[] out;
    private volatile FrameHandler handler;
    private volatile Thread poller;
    private int next;
    private volatile boolean closed;

    /** One outgoing ring, and the lock its senders take. */
    private static final class Out {
        final int peer;
        final Path file;
        ShmRing ring;
        /** The receiver has closed its end: frames for it are dropped. */
        boolean gone;
        /** When a sender began waiting, for the liveness check. */
        long lastLivenessCheck;
        /** Sends waiting for room, oldest first: they go before any later send. */
        Pending head;
        Pending tail;

        Out(int peer, Path file) {
            this.peer = peer;
            this.file = file;
        }

        Pending enqueue(Frame frame, Buf payload, long offset) {
            Pending p = new Pending(frame, payload, offset);
            if (tail == null) {
                head = p;
            } else {
                tail.next = p;
            }
            tail = p;
            return p;
        }

        /** Writes waiting sends, in order, while they fit. */
        void flush() {
            Pending p;
            while ((p = head) != null && ring.tryWrite(p.frame, p.payload, p.offset)) {
                p.written = true;
                head = p.next;
                if (head == null) {
                    tail = null;
                }
            }
        }

        void remove(Pending p) {
            Pending prev = null;
            for (Pending q = head; q != null; prev = q, q = q.next) {
                if (q == p) {
                    if (prev == null) {
                        head = q.next;
                    } else {
                        prev.next = q.next;
                    }
                    if (tail == q) {
                        tail = prev;
                    }
                    return;
                }
            }
        }
    }

    /**
     * A send waiting for room in a full ring. Whichever send to the same peer finds room
     * first writes the waiting ones before its own, oldest first: so a frame is never
     * overtaken by one sent after it, even by a send from a handler that a waiting sender's
     * own poll ran (the waiting sender's buffer is still valid: its call has not returned),
     * and a large fragment is never starved by a stream of small frames.
     */
    private static final class Pending {
        final Frame frame;
        final Buf payload;
        final long offset;
        boolean written;
        Pending next;

        Pending(Frame frame, Buf payload, long offset) {
            this.frame = frame;
            this.payload = payload;
            this.offset = offset;
        }
    }

    /**
     * Creates world rank {@code rank}'s transport for its peers on this host, and the rings
     * they will write to it, in {@code dir} (created if need be, owner-only).
     *
     * @param localPeers the world ranks of the other ranks on this host (this rank, if
     *     listed, is skipped)
     * @param jobToken the job's identity (a random number chosen by the launcher): every
     *     ring file carries it, and a ring of another job is refused
     * @param ringCapacity each ring's data capacity: a power of two, at least 4 KiB
     *     ({@link #defaultCapacity})
     * @param handler where frames go, or null to {@link #register} one later (before the first poll)
     * @throws IOException if a ring file cannot be created
     */
    public ShmTransport(int rank, int[] localPeers, Path dir, long jobToken, long ringCapacity, FrameHandler handler)
            throws IOException {
        if (rank < 0) {
            throw new IllegalArgumentException("rank < 0: " + rank);
        }
        Objects.requireNonNull(dir, "dir");
        this.peers = Arrays.stream(localPeers).filter(p -> p != rank).sorted().distinct().toArray();
        if (peers.length > 0 && peers[0] < 0) {
            throw new IllegalArgumentException("negative peer rank " + peers[0]);
        }
        if (peers.length != Arrays.stream(localPeers).filter(p -> p != rank).count()) {
            throw new IllegalArgumentException("duplicate peer rank in " + Arrays.toString(localPeers));
        }
        if (ringCapacity < ShmRing.MIN_CAPACITY || ringCapacity > ShmRing.MAX_CAPACITY
                || Long.bitCount(ringCapacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two in [" + ShmRing.MIN_CAPACITY
                    + ", " + ShmRing.MAX_CAPACITY + "]: " + ringCapacity);
        }
        this.rank = rank;
        this.dir = dir;
        this.jobToken = jobToken;
        this.capacity = ringCapacity;
        this.eagerLimit = Math.min(MAX_EAGER, ringCapacity / 8);
        this.maxFragment = ringCapacity / 4 - ShmRing.RECORD_OVERHEAD;
        int maxRank = Math.max(rank, peers.length == 0 ? 0 : peers[peers.length - 1]);
        this.slotOf = new int[maxRank + 1];
        Arrays.fill(slotOf, -1);
        for (int i = 0; i < peers.length; i++) {
            slotOf[peers[i]] = i;
        }
        this.handler = handler;
        this.in = new ShmRing[peers.length];
        this.closeReported = new boolean[peers.length];
        this.out = new Out[peers.length];
        for (int i = 0; i < peers.length; i++) {
            out[i] = new Out(peers[i], ringFile(dir, rank, peers[i]));
        }
        boolean ok = false;
        try {
            for (int i = 0; i < peers.length; i++) {
                in[i] = createRing(ringFile(dir, peers[i], rank), peers[i]);
            }
            ok = true;
        } finally {
            if (!ok) {
                for (ShmRing r : in) {
                    if (r != null) {
                        r.close();
                        Files.deleteIfExists(r.file());
                    }
                }
            }
        }
    }

    private ShmRing createRing(Path file, int producer) throws IOException {
        // The directory may vanish between creating it and the file: a rank that finished
        // before this one started deletes it once empty. Retry a few times.
        for (int attempt = 0;; attempt++) {
            try {
                ensureDirectory(dir);
                return ShmRing.create(file, capacity, producer, rank, jobToken);
            } catch (NoSuchFileException e) {
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    private static void ensureDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another rank made it first
            }
        }
    }

    /** Registers the handler frames go to, if none was given to the constructor. */
    public void register(FrameHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (this.handler != null) {
            throw new IllegalStateException("rank " + rank + " already has a frame handler");
        }
        this.handler = handler;
    }

    /**
     * Returns a ring capacity for {@code localRanks} ranks on one host: 1 MiB while the
     * host's n(n-1) rings fit in 256 MiB (up to 16 ranks), then the largest power of two
     * that keeps them there, but at least 64 KiB.
     */
    public static long defaultCapacity(int localRanks) {
        long rings = Math.max(1L, (long) localRanks * (localRanks - 1));
        long fit = Long.highestOneBit(Math.max(1L, (256L << 20) / rings));
        return Math.max(64L << 10, Math.min(DEFAULT_CAPACITY, fit));
    }

    /** Returns the file of the ring from world rank {@code from} to world rank {@code to}. */
    public static Path ringFile(Path dir, int from, int to) {
        return dir.resolve(from + "-" + to + ".ring");
    }

    /**
     * Returns the directory for job {@code jobId}'s rings: {@code /dev/shm/mpi4j-<jobId>},
     * or under {@code java.io.tmpdir} where there is no {@code /dev/shm}.
     */
    public static Path jobDirectory(String jobId) {
        if (!jobId.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("job id must be letters, digits, '.', '_' or '-': " + jobId);
        }
        Path shm = Path.of("/dev/shm");
        Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve("mpi4j-" + jobId);
    }

    /**
     * Deletes a job directory and every file in it, whatever its ranks left behind (for the
     * launcher, after every rank has exited). Mappings that live processes hold stay valid.
     *
     * @return whether the directory existed
     */
    public static boolean deleteJobDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
        return true;
    }

    // ================================================================== connecting

    /**
     * Attaches to every peer's ring for this rank's sends, waiting up to {@code timeout} for
     * peers that have not created theirs yet, and polling meanwhile. The engine calls this
     * once at start-up, after every rank of the host has been constructed or is being so.
     *
     * @throws MpiException of class {@link ErrorClass#TIMEOUT} naming the peers that never appeared
     */
    public void connect(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int idle = 0;; idle++) {
            List<Integer> missing = new ArrayList<>();
            for (Out o : out) {
                synchronized (o) {
                    if (!tryAttach(o)) {
                        missing.add(o.peer);
                    }
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new MpiException(ErrorClass.TIMEOUT, "rank " + rank + ": no ring from rank(s) " + missing
                        + " appeared in " + dir + " within " + timeout);
            }
            poll();
            LockSupport.parkNanos(Math.min(1_000_000L, 10_000L << Math.min(idle, 7)));
        }
    }

    /** Attaches {@code o} if its file exists; returns whether it is attached (or its peer gone). Holds o's lock. */
    private boolean tryAttach(Out o) {
        if (o.ring != null || o.gone) {
            return true;
        }
        checkOpen("send");
        ShmRing r;
        try {
            r = ShmRing.attach(o.file, capacity, rank, o.peer, jobToken);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new MpiException(ErrorClass.INTERN, "rank " + rank + " cannot attach to its ring to rank "
                    + o.peer + ": " + e.getMessage(), e);
        }
        if (r.consumerClosed()) {
            // The receiver finalized before we attached, and left the file to us.
            o.gone = true;
            r.markProducerClosed();
            r.close();
            deleteQuietly(o.file);
        } else {
            o.ring = r;
        }
        return true;
    }

    // ================================================================== Transport

    @Override
    public void send(int peer, Frame frame, Buf payload, long payloadOffset) {
        Out o = outgoing(peer);
        long len = frame.length;
        if ((frame.type == Frame.EAGER || frame.type == Frame.DATA) && len > ShmRing.maxPayload(capacity)) {
            throw new IllegalArgumentException(Frame.typeName(frame.type) + " payload of " + len
                    + " bytes exceeds the shared-memory limit of " + ShmRing.maxPayload(capacity));
        }
        Pending me = null;
        long waitStart = 0;
        try {
            long idleSince = 0;
            while (true) {
                synchronized (o) {
                    checkOpen("send");
                    if (tryAttach(o)) {
                        if (o.gone) {
                            return; // the receiver has finalized: it reads nothing more
                        }
                        o.flush();
                        if (me != null ? me.written : o.head == null && o.ring.tryWrite(frame, payload, payloadOffset)) {
                            return;
                        }
                        if (o.ring.consumerClosed()) {
                            o.gone = true;
                            o.head = o.tail = null;
                            return;
                        }
                        if (me == null) {
                            me = o.enqueue(frame, payload, payloadOffset);
                        }
                    } else if (waitStart != 0 && System.nanoTime() - waitStart > DEFAULT_CONNECT_TIMEOUT.toNanos()) {
                        throw new MpiException(ErrorClass.TIMEOUT, "rank " + rank + ": rank " + peer
                                + " has not created its ring in " + dir + " within " + DEFAULT_CONNECT_TIMEOUT);
                    }
                    if (waitStart == 0) {
                        waitStart = System.nanoTime();
                        o.lastLivenessCheck = waitStart;
                    } else if (o.ring != null && System.nanoTime() - o.lastLivenessCheck > 100_000_000L) {
                        o.lastLivenessCheck = System.nanoTime();
                        checkAlive(o);
                    }
                }
                // Full (or not there yet): drain our own rings meanwhile, so that a peer that is
                // itself waiting for room in a ring to us can go on.
                if (poll() > 0 || idleSince == 0) {
                    idleSince = System.nanoTime();
                } else {
                    backoff(System.nanoTime() - idleSince);
                }
            }
        } finally {
            if (me != null && !me.written) {
                synchronized (o) {
                    o.remove(me); // failed: nobody may write its frame later, from a buffer reused by then
                }
            }
        }
    }

    private void checkAlive(Out o) {
        long pid = o.ring.consumerPid();
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        if (!alive && !o.ring.consumerClosed()) {
            throw new MpiException(ErrorClass.ABORTED, "rank " + rank + " cannot send to rank " + o.peer
                    + ": its process (pid " + pid + ") exited without closing its ring " + o.file);
        }
    }

    /**
     * Waits a little for room in a ring, {@code idleNanos} after the last progress. The
     * receiver frees room at copying speed (a 256 KiB fragment in 10 to 20 µs), so spin
     * through that; then yield, which gives the core to a rank that shares it and costs a
     * microsecond otherwise; park only after a millisecond (a park lasts at least ~50 µs
     * with Linux's timer slack).
     */
    private static void backoff(long idleNanos) {
        if (idleNanos < SPIN_NANOS) {
            Thread.onSpinWait();
        } else if (idleNanos < YIELD_NANOS) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(PARK_NANOS);
        }
    }

    private Out outgoing(int peer) {
        int slot = peer >= 0 && peer < slotOf.length ? slotOf[peer] : -1;
        if (slot < 0) {
            throw new IllegalArgumentException("rank " + peer + " is not a shared-memory peer of rank " + rank
                    + " (local peers " + Arrays.toString(peers) + ")");
        }
        return out[slot];
    }

    @Override
    public int poll() {
        FrameHandler h = handler;
        if (h == null) {
            return 0;
        }
        Thread me = Thread.currentThread();
        if (poller == me) {
            return deliver(h); // nested: a handler of an outer delivery is waiting
        }
        int n = 0;
        // Check before locking, and again after unlocking: a thread of this rank that failed to
        // take the lock while we held it may be waiting for what arrived meanwhile.
        while (n < POLL_BUDGET && anyWork() && POLLER.compareAndSet(this, null, me)) {
            try {
                n += deliver(h);
            } finally {
                POLLER.setRelease(this, null);
            }
        }
        return n;
    }

    /** Whether some ring has a record, or a closed producer not yet reported. Takes no lock. */
    private boolean anyWork() {
        if (closed) {
            return false;
        }
        try {
            for (int i = 0; i < in.length; i++) {
                ShmRing r = in[i];
                if (r.hasRecord() || !closeReported[i] && r.producerClosed()) {
                    return true;
                }
            }
        } catch (IllegalStateException e) {
            return false; // closed (unmapped) meanwhile by another thread
        }
        return false;
    }

    private int deliver(FrameHandler h) {
        int n = 0;
        int k = in.length;
        boolean progress = true;
        while (progress && n < POLL_BUDGET && !closed) {
            progress = false;
            for (int i = 0; i < k && n < POLL_BUDGET && !closed; i++) {
                int idx = next;
                next = idx + 1 == k ? 0 : idx + 1;
                ShmRing r = in[idx];
                int got = r.read(h, peers[idx], Math.min(RING_BURST, POLL_BUDGET - n));
                if (got > 0) {
                    n += got;
                    progress = true;
                } else if (!closeReported[idx] && r.drainedAndClosed()) {
                    closeReported[idx] = true;
                    if (!r.closeFrameSeen()) {
                        Frame f = new Frame();
                        f.type = Frame.CLOSE;
                        h.onFrame(peers[idx], f, null, 0);
                        n++;
                        progress = true;
                    }
                }
            }
        }
        return n;
    }

    /** Does nothing: see the class comment, "Waiting". */
    @Override
    public void parking(boolean parked) {
    }

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
        throw new UnsupportedOperationException("shared-memory transport: no get between processes");
    }

    // ================================================================== state

    /** Returns this rank's world rank. */
    public int rank() {
        return rank;
    }

    /** Returns the world ranks of this rank's shared-memory peers, in ascending order. */
    public int[] peers() {
        return peers.clone();
    }

    /** Returns whether {@code peer} is one of this transport's peers. */
    public boolean isPeer(int peer) {
        return peer >= 0 && peer < slotOf.length && slotOf[peer] >= 0;
    }

    /** Returns the job directory. */
    public Path directory() {
        return dir;
    }

    /** Returns the data capacity of each ring. */
    public long ringCapacity() {
        return capacity;
    }

    /** Returns whether {@code peer} has closed its ring to this rank (it has finalized). */
    public boolean peerClosed(int peer) {
        outgoing(peer); // checks that it is a peer
        return !closed && in[slotOf[peer]].producerClosed();
    }

    private void checkOpen(String op) {
        if (closed) {
            throw new MpiException(ErrorClass.PROC_FINALIZED, op + ": rank " + rank
                    + "'s shared-memory transport is closed");
        }
    }

    /**
     * Closes the transport: marks every ring closed, unmaps it and deletes the files that
     * are no longer needed, then the job directory if it is empty. Senders blocked on a
     * full ring fail. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Out o : out) {
            synchronized (o) {
                if (o.ring != null) {
                    boolean last = o.ring.markProducerClosed();
                    o.ring.close();
                    o.ring = null;
                    if (last) {
                        deleteQuietly(o.file);
                    }
                }
                o.gone = true;
            }
        }
        // Take the poll lock, so no delivery reads a ring while it is unmapped; a poller that
        // is blocked in a handler gets a bounded wait (its sends fail now that we are closed).
        Thread me = Thread.currentThread();
        boolean mine = poller == me;
        boolean locked = mine;
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (!locked && System.nanoTime() - deadline < 0) {
            locked = POLLER.compareAndSet(this, null, me);
            if (!locked) {
                LockSupport.parkNanos(10_000L);
            }
        }
        try {
            for (ShmRing r : in) {
                if (r.markConsumerClosed()) {
                    deleteQuietly(r.file());
                }
                r.close();
            }
        } finally {
            if (locked && !mine) {
                POLLER.setRelease(this, null);
            }
        }
        try {
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
            // other ranks' rings are still there: the last one out removes it
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException e) {
            // left for deleteJobDirectory
        }
    }

    @Override
    public String toString() {
        return "ShmTransport[rank " + rank + ", peers " + Arrays.toString(peers) + ", " + dir + "]";
    }
}
