package org.mpi4j.engine.libmpi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Native memory for the arguments of one MPI call, reused by the thread's next call: a
 * bump allocator over a block that grows to the largest call seen. Fresh native memory per
 * call would cost a {@code malloc}, a zeroing and, for large buffers, a page fault per
 * 4 KiB (10 µs here) on every collective; reused memory costs nothing after the first.
 *
 * <p>{@code try (Scratch s = Scratch.open()) { … }}: what {@code s} gave is valid until the
 * block closes. Calls on one thread do not nest (a reduction's upcall makes no MPI call).
 */
final class Scratch implements AutoCloseable {
    private static final ThreadLocal<Scratch> MINE = ThreadLocal.withInitial(Scratch::new);

    private MemorySegment block = Arena.ofAuto().allocate(64 << 10, 64);
    private long used;
    private long wanted;
    private boolean open;

    private Scratch() {
    }

    /** This thread's scratch memory, empty, for one call. */
    static Scratch open() {
        Scratch s = MINE.get();
        if (s.open) {
            throw new IllegalStateException("nested use of a thread's MPI scratch memory");
        }
        s.open = true;
        s.used = 0;
        s.wanted = 0;
        return s;
    }

    /** {@code bytes} bytes aligned to {@code align}; content unspecified. */
    MemorySegment allocate(long bytes, long align) {
        long at = (used + align - 1) & -align;
        wanted = Math.max(wanted, at + bytes);
        if (at + bytes > block.byteSize()) {
            // Not enough for this call: a block of its own now, a larger shared one next time.
            return Arena.ofAuto().allocate(Math.max(1, bytes), align);
        }
        used = at + bytes;
        return block.asSlice(at, bytes);
    }

    /** Room for {@code count} ints. */
    MemorySegment allocate(ValueLayout.OfInt layout, long count) {
        return allocate(layout.byteSize() * count, layout.byteAlignment());
    }

    @Override
    public void close() {
        open = false;
        if (wanted > block.byteSize()) {
            block = Arena.ofAuto().allocate(Math.max(wanted, block.byteSize() * 2), 64);
        }
    }
}
