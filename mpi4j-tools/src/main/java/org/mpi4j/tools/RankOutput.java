package org.mpi4j.tools;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code System.out} and {@code System.err} for the ranks of a job in this JVM: output is
 * collected per thread and written out a whole line at a time, so lines of different ranks
 * (or of different threads of one rank) never mix within a line. With tagging on, each line
 * starts with the rank that printed it, as {@code "[2] "} — the same on both streams, so
 * {@code grep '^\[2\] '} picks out rank 2.
 *
 * <p>A thread belongs to a rank once {@link #enterRank} has run on it, and so does every
 * thread it starts afterwards (its executors' workers and virtual threads too): the rank is
 * an {@link InheritableThreadLocal}. Threads that belong to no rank print untagged: the
 * launcher's own, and the workers of the JVM-wide common fork/join pool (behind parallel
 * streams), which the JDK starts without inherited thread locals and which serve every rank.
 *
 * <p>A line is written when its newline is; {@code flush()} does not cut a line short, since
 * {@code PrintStream} flushes after every write. What is left of an unfinished line is
 * written, with a newline added, when its rank ends or the job does.
 */
final class RankOutput implements AutoCloseable {
    /** The rank a thread prints for, and the job it belongs to. */
    private record Tag(RankOutput owner, byte[] prefix) {
    }

    private static final InheritableThreadLocal<Tag> TAG = new InheritableThreadLocal<>();

    private final boolean tagged;
    private final Object lock = new Object();
    private final PrintStream savedOut;
    private final PrintStream savedErr;
    private final Lines out;
    private final Lines err;
    private boolean closed;

    private RankOutput(PrintStream out, PrintStream err, boolean tagged) {
        this.tagged = tagged;
        this.savedOut = System.out;
        this.savedErr = System.err;
        this.out = new Lines(out);
        this.err = new Lines(err);
    }

    /**
     * Replaces {@code System.out} and {@code System.err} with streams that write whole
     * lines to {@code out} and {@code err}, until {@link #close()}.
     */
    static RankOutput install(PrintStream out, PrintStream err, boolean tagged) {
        RankOutput r = new RankOutput(Objects.requireNonNull(out, "out"), Objects.requireNonNull(err, "err"), tagged);
        System.setOut(new PrintStream(r.out, true, out.charset()));
        System.setErr(new PrintStream(r.err, true, err.charset()));
        return r;
    }

    /** Marks the calling thread, and the threads it starts from now on, as printing for {@code rank}. */
    void enterRank(int rank) {
        byte[] prefix = tagged ? ("[" + rank + "] ").getBytes(StandardCharsets.UTF_8) : new byte[0];
        TAG.set(new Tag(this, prefix));
    }

    /** Writes out the calling thread's unfinished lines, and unmarks it. */
    void exitRank() {
        System.out.flush();
        System.err.flush();
        out.finishLine(Thread.currentThread());
        err.finishLine(Thread.currentThread());
        TAG.remove();
    }

    /** Writes out every unfinished line and puts the original streams back. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        System.out.flush();
        System.err.flush();
        out.finishAll();
        err.finishAll();
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private byte[] prefixOfCurrentThread() {
        Tag tag = TAG.get();
        return tag != null && tag.owner() == this ? tag.prefix() : new byte[0];
    }

    /** An unfinished line: the prefix of the thread that began it, and its bytes so far. */
    private record Pending(byte[] prefix, ByteArrayOutputStream bytes) {
    }

    /** One stream's line assembly. */
    private final class Lines extends OutputStream {
        private final PrintStream target;
        private final Map<Thread, Pending> pending = new ConcurrentHashMap<>();

        Lines(PrintStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            Thread thread = Thread.currentThread();
            int start = off;
            int end = off + len;
            for (int i = off; i < end; i++) {
                if (b[i] == '\n') {
                    Pending p = pending.remove(thread);
                    emit(p != null ? p.prefix() : prefixOfCurrentThread(), p, b, start, i + 1 - start);
                    start = i + 1;
                }
            }
            if (start < end) {
                pending.computeIfAbsent(thread, t -> new Pending(prefixOfCurrentThread(), new ByteArrayOutputStream()))
                        .bytes().write(b, start, end - start);
            }
        }

        @Override
        public void flush() {
            target.flush();
        }

        void finishLine(Thread thread) {
            Pending p = pending.remove(thread);
            if (p != null) {
                emit(p.prefix(), p, new byte[] {'\n'}, 0, 1);
            }
        }

        void finishAll() {
            for (Thread t : pending.keySet()) {
                finishLine(t);
            }
        }

        /** Writes one line — prefix, the unfinished part, the rest — in one piece. */
        private void emit(byte[] prefix, Pending head, byte[] b, int off, int len) {
            synchronized (lock) {
                target.write(prefix, 0, prefix.length);
                if (head != null) {
                    target.write(head.bytes().toByteArray(), 0, head.bytes().size());
                }
                target.write(b, off, len);
                target.flush();
            }
        }
    }
}
