package org.mpi4j.transport.shm;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.mpi4j.Buf;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.transport.Frame;
import org.mpi4j.transport.FrameCodec;
import org.mpi4j.transport.FrameHandler;

/**
 * A single-producer, single-consumer ring of frames in a memory-mapped file, written by one
 * process (the producer, a sending rank) and read by another (the consumer, the receiving
 * rank). The consumer {@linkplain #create creates} the file; the producer
 * {@linkplain #attach attaches} to it.
 *
 * <h2>File layout</h2>
 *
 * <pre>
 *  offset  size   written by   field
 *     0      8    creator      magic "mpi4jshm"
 *     8      4    creator      version
 *    12      4    creator      header size (4096)
 *    16      8    creator      data capacity in bytes (a power of two)
 *    24      4    creator      producer's world rank
 *    28      4    creator      consumer's world rank
 *    32      8    creator      job token (the launcher's random job id)
 *    40      8    creator      consumer's pid
 *    48      8    creator      checksum of bytes 0..47
 *   128      8    producer     producer state: 0 none yet, 1 attached, 2 closed
 *   136      8    producer     producer's pid
 *   256      8    consumer     head: bytes consumed and released, ever
 *   264      8    consumer     consumer state: 1 open, 2 closed
 *  4096   capacity             records
 * </pre>
 *
 * The producer's and the consumer's fields are 128 bytes apart, so the two never share a
 * cache line nor an adjacent-line prefetch pair. The data starts on a page.
 *
 * <h2>Records</h2>
 *
 * A record starts at an 8-byte boundary with an 8-byte word, {@code kind << 32 | length}:
 * a frame record ({@link #KIND_FRAME}) of {@code length} = 8 + the 56-byte
 * {@link FrameCodec} header + the payload, or a padding record ({@link #KIND_PAD}) that fills
 * the ring's end when the next record does not fit there, so that every record is
 * contiguous and its payload can be read in place. A record occupies its length rounded up
 * to 8 bytes. The largest record is half the capacity, so it always fits in an empty ring.
 *
 * <h2>Publication without a tail counter</h2>
 *
 * The consumer polls the word where the next record will start, not a tail counter: data
 * and signal arrive in the same cache line, so a small message costs one or two cache-line
 * transfers instead of three. That word must read 0 until the record is committed, never
 * stale data from the previous lap, so the producer, before it commits a record, zeroes the
 * word just past it (the terminator, where the record after it will start) and commits the
 * record by writing its first word last, with release semantics. The consumer reads that
 * word with acquire semantics and then sees everything written before it, the terminator
 * included. The producer therefore never fills the last 8 bytes of free space. A fresh
 * file is all zeros.
 *
 * <p>Flow control: the consumer publishes {@code head} (release) after it has finished with
 * a record; the producer reads it (acquire) only when its cached copy says the ring is
 * full. Neither side touches the other's counter per record.
 *
 * <h2>Threads</h2>
 *
 * One thread at a time writes ({@link #tryWrite}, under the caller's lock) and one reads
 * ({@link #read}, under the caller's poll lock); {@link #read} is reentrant on its thread, so
 * a handler may poll again (see {@link #read}).
 */
public final class ShmRing implements AutoCloseable {
    /** "mpi4jshm" as a little-endian long. */
    public static final long MAGIC = 0x6D68_736A_3469_706DL;
    /** The version of the layout above. */
    public static final int VERSION = 1;
    /** The size of the file's header: the data starts on the next page. */
    public static final int HEADER_BYTES = 4096;
    /** The smallest capacity. */
    public static final long MIN_CAPACITY = 4096;
    /** The largest capacity. */
    public static final long MAX_CAPACITY = 1L << 30;
    /** Bytes of a frame record before its payload: the record word and the frame header. */
    public static final int RECORD_OVERHEAD = 8 + FrameCodec.HEADER_BYTES;

    static final int KIND_FRAME = 0x4652_4D31; // "FRM1"
    static final int KIND_PAD = 0x5041_4431;   // "PAD1"

    static final long OFF_MAGIC = 0;
    static final long OFF_VERSION = 8;
    static final long OFF_HEADER_BYTES = 12;
    static final long OFF_CAPACITY = 16;
    static final long OFF_PRODUCER = 24;
    static final long OFF_CONSUMER = 28;
    static final long OFF_TOKEN = 32;
    static final long OFF_CONSUMER_PID = 40;
    static final long OFF_CHECKSUM = 48;
    static final long OFF_PRODUCER_STATE = 128;
    static final long OFF_PRODUCER_PID = 136;
    static final long OFF_HEAD = 256;
    static final long OFF_CONSUMER_STATE = 264;

    static final long STATE_NONE = 0;
    static final long STATE_OPEN = 1;
    static final long STATE_CLOSED = 2;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final ValueLayout.OfLong PLAIN_LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout.OfInt PLAIN_INT = ValueLayout.JAVA_INT;
    private static final long PAGE = 4096;

    private final Path file;
    private final Arena arena;
    private final MemorySegment header;
    private final MemorySegment data;
    private final long capacity;
    private final long mask;
    private final boolean producerSide;
    private final int producerRank;
    private final int consumerRank;

    // ---- producer's state (guarded by the caller's send lock)
    private long tail;
    private long headCache;

    // ---- consumer's state (guarded by the caller's poll lock; reentrant on the poller)
    private long cursor;
    private long released;
    private int pins;
    private int depth;
    private final Frame spare = new Frame();
    private final Buf view;
    private boolean closeFrameSeen;
    private String broken;

    private ShmRing(Path file, Arena arena, MemorySegment whole, long capacity, boolean producerSide, int producerRank,
            int consumerRank) {
        this.file = file;
        this.arena = arena;
        this.header = whole.asSlice(0, HEADER_BYTES);
        this.data = whole.asSlice(HEADER_BYTES, capacity);
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.producerSide = producerSide;
        this.producerRank = producerRank;
        this.consumerRank = consumerRank;
        this.view = producerSide ? null : Buf.of(data);
    }

    // ================================================================== creating and attaching

    /**
     * Creates the ring file {@code file} as its consumer: writes it under a temporary name,
     * sized, pre-touched (every page written, so no first-touch fault happens while
     * messages flow) and with its header complete, then renames it into place atomically,
     * replacing a stale file of the same name, so a producer never maps a half-written file.
     * The file is readable and writable by its owner only.
     *
     * @throws IllegalArgumentException if {@code capacity} is not a power of two between
     *     {@link #MIN_CAPACITY} and {@link #MAX_CAPACITY}
     */
    public static ShmRing create(Path file, long capacity, int producerRank, int consumerRank, long jobToken)
            throws IOException {
        checkCapacity(capacity);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Arena arena = Arena.ofShared();
        boolean ok = false;
        try {
            MemorySegment whole;
            try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.READ, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                // Allocate every page through the file first: on a full /dev/shm this fails with an
                // IOException here, where touching a hole through the mapping would raise SIGBUS.
                long size = HEADER_BYTES + capacity;
                ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(size, 1 << 16));
                try {
                    for (long off = 0; off < size;) {
                        zeros.clear().limit((int) Math.min(zeros.capacity(), size - off));
                        off += ch.write(zeros, off);
                    }
                } catch (IOException e) {
                    throw new IOException("cannot allocate " + size + " bytes for the ring " + file + " in "
                            + file.getParent() + " (is the shared-memory file system full?): " + e.getMessage(), e);
                }
                whole = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            }
            whole.fill((byte) 0); // maps every page into this process now, not while messages flow
            whole.set(PLAIN_LONG, OFF_MAGIC, MAGIC);
            whole.set(PLAIN_INT, OFF_VERSION, VERSION);
            whole.set(PLAIN_INT, OFF_HEADER_BYTES, HEADER_BYTES);
            whole.set(PLAIN_LONG, OFF_CAPACITY, capacity);
            whole.set(PLAIN_INT, OFF_PRODUCER, producerRank);
            whole.set(PLAIN_INT, OFF_CONSUMER, consumerRank);
            whole.set(PLAIN_LONG, OFF_TOKEN, jobToken);
            whole.set(PLAIN_LONG, OFF_CONSUMER_PID, ProcessHandle.current().pid());
            whole.set(PLAIN_LONG, OFF_CHECKSUM, checksum(whole));
            whole.set(PLAIN_LONG, OFF_PRODUCER_STATE, STATE_NONE);
            LONG.setVolatile(whole, OFF_CONSUMER_STATE, STATE_OPEN);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            ShmRing ring = new ShmRing(file, arena, whole, capacity, false, producerRank, consumerRank);
            ok = true;
            return ring;
        } finally {
            if (!ok) {
                arena.close();
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Attaches to the ring file {@code file} as its producer, after checking that it is an
     * mpi4j ring of this layout version, of this job, between these ranks, of this capacity,
     * with an intact header, and that no other producer has attached. Pre-touches the data
     * pages in this process.
     *
     * @throws java.nio.file.NoSuchFileException if the consumer has not created it yet
     * @throws InvalidRingException if the file is not such a ring, naming what differs
     */
    public static ShmRing attach(Path file, long capacity, int producerRank, int consumerRank, long jobToken)
            throws IOException {
        checkCapacity(capacity);
        Arena arena = Arena.ofShared();
        boolean ok = false;
        try {
            MemorySegment whole;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long size = ch.size();
                if (size < HEADER_BYTES) {
                    throw new InvalidRingException(file + ": " + size + " bytes, too small for a ring header");
                }
                whole = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            }
            validate(file, whole, capacity, producerRank, consumerRank, jobToken);
            if (!LONG.compareAndSet(whole, OFF_PRODUCER_STATE, STATE_NONE, STATE_OPEN)) {
                long state = (long) LONG.getVolatile(whole, OFF_PRODUCER_STATE);
                throw new InvalidRingException(file + ": already has a producer (state " + state + ", pid "
                        + (long) LONG.getVolatile(whole, OFF_PRODUCER_PID) + ")");
            }
            LONG.setRelease(whole, OFF_PRODUCER_PID, ProcessHandle.current().pid());
            // Pre-touch the data pages in this process's page table. Writing back the value read
            // is harmless: nothing is committed yet, and the consumer only reads committed records.
            for (long off = HEADER_BYTES; off < whole.byteSize(); off += PAGE) {
                whole.set(PLAIN_LONG, off, whole.get(PLAIN_LONG, off));
            }
            ShmRing ring = new ShmRing(file, arena, whole, capacity, true, producerRank, consumerRank);
            ok = true;
            return ring;
        } finally {
            if (!ok) {
                arena.close();
            }
        }
    }

    private static void validate(Path file, MemorySegment s, long capacity, int producer, int consumer, long token)
            throws InvalidRingException {
        long magic = s.get(PLAIN_LONG, OFF_MAGIC);
        if (magic != MAGIC) {
            throw new InvalidRingException(file + ": not an mpi4j ring (magic 0x" + Long.toHexString(magic) + ")");
        }
        int version = s.get(PLAIN_INT, OFF_VERSION);
        if (version != VERSION) {
            throw new InvalidRingException(file + ": ring layout version " + version + ", expected " + VERSION);
        }
        int headerBytes = s.get(PLAIN_INT, OFF_HEADER_BYTES);
        if (headerBytes != HEADER_BYTES) {
            throw new InvalidRingException(file + ": header of " + headerBytes + " bytes, expected " + HEADER_BYTES);
        }
        long sum = s.get(PLAIN_LONG, OFF_CHECKSUM);
        if (sum != checksum(s)) {
            throw new InvalidRingException(file + ": header checksum mismatch (corrupt header)");
        }
        long cap = s.get(PLAIN_LONG, OFF_CAPACITY);
        if (cap != capacity) {
            throw new InvalidRingException(file + ": capacity " + cap + ", expected " + capacity);
        }
        if (s.byteSize() != HEADER_BYTES + capacity) {
            throw new InvalidRingException(file + ": file of " + s.byteSize() + " bytes, expected "
                    + (HEADER_BYTES + capacity));
        }
        int p = s.get(PLAIN_INT, OFF_PRODUCER);
        int c = s.get(PLAIN_INT, OFF_CONSUMER);
        if (p != producer || c != consumer) {
            throw new InvalidRingException(file + ": ring from rank " + p + " to rank " + c + ", expected " + producer
                    + " to " + consumer);
        }
        long t = s.get(PLAIN_LONG, OFF_TOKEN);
        if (t != token) {
            throw new InvalidRingException(file + ": ring of job 0x" + Long.toHexString(t) + ", not of this job (0x"
                    + Long.toHexString(token) + ")");
        }
    }

    static long checksum(MemorySegment s) {
        long h = 0x9E37_79B9_7F4A_7C15L;
        for (long off = 0; off < OFF_CHECKSUM; off += 8) {
            h ^= s.get(PLAIN_LONG, off);
            h *= 0xBF58_476D_1CE4_E5B9L;
            h ^= h >>> 31;
        }
        return h;
    }

    private static void checkCapacity(long capacity) {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Long.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two in [" + MIN_CAPACITY + ", "
                    + MAX_CAPACITY + "]: " + capacity);
        }
    }

    // ================================================================== properties

    /** Returns the file this ring lives in. */
    public Path file() {
        return file;
    }

    /** Returns the data capacity in bytes. */
    public long capacity() {
        return capacity;
    }

    /** Returns the largest payload of one record: half the capacity, less the record's overhead. */
    public long maxPayload() {
        return maxPayload(capacity);
    }

    /** Returns the largest payload of one record in a ring of {@code capacity} bytes. */
    public static long maxPayload(long capacity) {
        return capacity / 2 - RECORD_OVERHEAD;
    }

    /** Returns the producer's world rank. */
    public int producerRank() {
        return producerRank;
    }

    /** Returns the consumer's world rank. */
    public int consumerRank() {
        return consumerRank;
    }

    /** Returns the consumer's pid, from the header. */
    public long consumerPid() {
        return header.get(PLAIN_LONG, OFF_CONSUMER_PID);
    }

    /** Returns the producer's pid, or 0 if no producer has attached. */
    public long producerPid() {
        return (long) LONG.getAcquire(header, OFF_PRODUCER_PID);
    }

    /** Returns whether a producer has attached (whether or not it has closed since). */
    public boolean producerAttached() {
        return (long) LONG.getVolatile(header, OFF_PRODUCER_STATE) != STATE_NONE;
    }

    /** Returns whether the producer has closed its end: it will write nothing more. */
    public boolean producerClosed() {
        return (long) LONG.getAcquire(header, OFF_PRODUCER_STATE) == STATE_CLOSED;
    }

    /** Returns whether the consumer has closed its end: it will read nothing more. */
    public boolean consumerClosed() {
        return (long) LONG.getAcquire(header, OFF_CONSUMER_STATE) == STATE_CLOSED;
    }

    /**
     * Marks the producer's end closed (a full fence), after which it writes nothing more.
     * Returns whether the consumer had already closed, in which case the producer, the last
     * user, should delete the file (see {@link #markConsumerClosed}).
     */
    public boolean markProducerClosed() {
        LONG.setVolatile(header, OFF_PRODUCER_STATE, STATE_CLOSED);
        return (long) LONG.getVolatile(header, OFF_CONSUMER_STATE) == STATE_CLOSED;
    }

    /**
     * Marks the consumer's end closed (a full fence). Returns whether a producer had
     * attached: if so, the consumer deletes the file (the producer keeps its mapping); if
     * not, a producer that attaches later sees the ring closed and deletes it. The fences
     * on both sides make sure that at least one of them deletes it.
     */
    public boolean markConsumerClosed() {
        LONG.setVolatile(header, OFF_CONSUMER_STATE, STATE_CLOSED);
        return (long) LONG.getVolatile(header, OFF_PRODUCER_STATE) != STATE_NONE;
    }

    /** Unmaps the file; this process must not use the ring afterwards. Idempotent. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    // ================================================================== producer

    /**
     * Writes one frame record: the frame's header (encoded straight into the ring) and, for
     * {@link Frame#EAGER} and {@link Frame#DATA} frames, {@code frame.length} bytes of
     * {@code payload} from byte {@code payloadOffset} (copied straight into the ring).
     *
     * @return false if the ring has no room for the record now
     * @throws IllegalArgumentException if the payload is larger than {@link #maxPayload()},
     *     or a frame that carries no payload claims one
     */
    public boolean tryWrite(Frame frame, Buf payload, long payloadOffset) {
        long len = frame.length;
        if (frame.type != Frame.EAGER && frame.type != Frame.DATA) {
            if (len != 0) {
                throw new IllegalArgumentException(Frame.typeName(frame.type) + " frame with a payload of " + len
                        + " bytes");
            }
        } else if (len < 0 || len > maxPayload()) {
            throw new IllegalArgumentException("payload of " + len + " bytes; a ring of " + capacity
                    + " bytes takes at most " + maxPayload());
        }
        long size = RECORD_OVERHEAD + len;
        long aligned = (size + 7) & ~7L;
        long pos = tail & mask;
        long pad = pos + aligned > capacity ? capacity - pos : 0;
        long need = pad + aligned + 8; // 8: the terminator word after the record
        if (capacity - (tail - headCache) < need) {
            headCache = (long) LONG.getAcquire(header, OFF_HEAD);
            if (capacity - (tail - headCache) < need) {
                return false;
            }
        }
        long at = pad > 0 ? 0 : pos;
        data.set(PLAIN_LONG, (at + aligned) & mask, 0L); // the next record's word reads 0 until committed
        FrameCodec.encode(frame, data, at + 8);
        if (len > 0) {
            MemorySegment src = payload.segment();
            if (src != null) {
                NativeCopy.copy(src, payloadOffset, data, at + RECORD_OVERHEAD, len);
            } else {
                payload.copyTo(payloadOffset, data, at + RECORD_OVERHEAD, len); // boolean[]
            }
        }
        LONG.setRelease(data, at, (long) KIND_FRAME << 32 | size);
        if (pad > 0) {
            // Published after the record at 0, so a consumer that follows it finds that committed.
            LONG.setRelease(data, pos, (long) KIND_PAD << 32 | pad);
        }
        tail += pad + aligned;
        return true;
    }

    // ================================================================== consumer

    /**
     * Delivers up to {@code max} frames to {@code handler}, as from world rank {@code peer},
     * and returns how many it delivered. The payload of an {@link Frame#EAGER} or
     * {@link Frame#DATA} frame is passed as a view of the ring's memory, valid only during
     * the call; the frame instance may be reused afterwards.
     *
     * <p>Release: a frame without payload is released before its handler runs, a frame with
     * payload when its handler returns. Reentrancy: a handler may call {@code read} again on
     * the same thread (to make progress while it waits to send); the nested call continues
     * with the next records. The space of records read while a payload frame's handler
     * runs is released only when that handler returns, since the ring frees space in order.
     *
     * @throws MpiException of class {@link ErrorClass#INTERN} if a record is corrupt; the
     *     ring is unusable from then on
     */
    public int read(FrameHandler handler, int peer, int max) {
        if (broken != null) {
            throw corrupt(broken);
        }
        int n = 0;
        while (n < max) {
            long pos = cursor & mask;
            long word = (long) LONG.getAcquire(data, pos);
            if (word == 0) {
                break;
            }
            int kind = (int) (word >>> 32);
            long length = word & 0xFFFF_FFFFL;
            if (kind == KIND_PAD) {
                if (pos == 0 || length != capacity - pos) {
                    throw fail("padding record of " + length + " bytes at " + pos);
                }
                cursor += length;
                continue;
            }
            long aligned = (length + 7) & ~7L;
            if (kind != KIND_FRAME || length < RECORD_OVERHEAD || aligned > capacity / 2 || aligned > capacity - pos) {
                throw fail("record word 0x" + Long.toHexString(word) + " at " + pos);
            }
            Frame f = depth == 0 ? spare : new Frame();
            try {
                FrameCodec.decode(data, pos + 8, f, length - RECORD_OVERHEAD);
            } catch (FrameCodec.ProtocolException e) {
                throw fail(e.getMessage() + " (record at " + pos + ")");
            }
            if (f.length != length - RECORD_OVERHEAD) {
                throw fail("record of " + length + " bytes holds a frame with a payload of " + f.length + " bytes");
            }
            cursor += aligned;
            boolean carries = f.type == Frame.EAGER || f.type == Frame.DATA;
            if (f.type == Frame.CLOSE) {
                closeFrameSeen = true;
            }
            if (carries) {
                pins++;
            } else if (pins == 0) {
                release(); // the decoded frame is all the handler needs: free the space first
            }
            depth++;
            try {
                handler.onFrame(peer, f, carries ? view : null, pos + RECORD_OVERHEAD);
            } finally {
                depth--;
                if (carries) {
                    pins--;
                }
            }
            n++;
            if (!arena.scope().isAlive()) {
                return n; // the handler closed the transport, and unmapped this ring
            }
            if (pins == 0) {
                release();
            }
        }
        if (pins == 0) {
            release();
        }
        return n;
    }

    private void release() {
        if (released != cursor) {
            released = cursor;
            LONG.setRelease(header, OFF_HEAD, cursor);
        }
    }

    /**
     * Returns whether the producer has closed its end and every record it wrote has been
     * read (consumer side).
     */
    public boolean drainedAndClosed() {
        return producerClosed() && (long) LONG.getAcquire(data, cursor & mask) == 0;
    }

    /** Returns whether a record waits to be read (consumer side). */
    public boolean hasRecord() {
        return (long) LONG.getAcquire(data, cursor & mask) != 0;
    }

    /** Returns whether a {@link Frame#CLOSE} frame has been read from this ring (consumer side). */
    public boolean closeFrameSeen() {
        return closeFrameSeen;
    }

    private MpiException fail(String what) {
        broken = what;
        return corrupt(what);
    }

    private MpiException corrupt(String what) {
        return new MpiException(ErrorClass.INTERN, "shared-memory ring from rank " + producerRank + " to rank "
                + consumerRank + " (" + file + ") is corrupt: " + what);
    }

    @Override
    public String toString() {
        return "ShmRing[" + producerRank + "->" + consumerRank + ", " + capacity + " bytes, "
                + (producerSide ? "producer, tail " + tail : "consumer, head " + cursor) + "]";
    }

    /** A file that is not a valid ring for the caller: foreign, corrupt, or of another job or layout. */
    public static final class InvalidRingException extends IOException {
        private static final long serialVersionUID = 1L;

        /** Creates the exception, naming the file and what is wrong with it. */
        public InvalidRingException(String message) {
            super(message);
        }
    }
}
