package org.mpi4j;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A typed view of memory to send from or receive into: a primitive array or a slice of one,
 * a {@link ByteBuffer}, or a {@link MemorySegment}. No serialization happens for buffers;
 * the engine copies the bytes, and where it can, copies them once, straight from the
 * sender's buffer into the receiver's.
 *
 * <p>A {@code Buf} is an immutable view: it holds a reference to the memory, not a copy, so
 * it can be made once and reused for many operations. A request keeps its {@code Buf}
 * (and so its memory) alive until the request completes. Do not modify a send buffer, or
 * read a receive buffer, until the operation using it has completed.
 *
 * <pre>{@code
 * double[] field = new double[1024];
 * comm.send(Buf.of(field), 1, 0);                 // the whole array
 * comm.recv(Buf.of(field, 512, 512), 1, 0);       // its upper half
 * comm.send(Buf.of(segment, Datatype.DOUBLE), 1, 0);
 * }</pre>
 *
 * <p>Booleans travel as one byte each. Multi-byte elements travel in the platform's byte
 * order; views of a {@code ByteBuffer} or {@code MemorySegment} are bytes unless a
 * {@link Datatype} is given.
 */
public final class Buf {

    private final Datatype datatype;
    /** The backing array, or null for off-heap memory and direct buffers. */
    private final Object array;
    /** The memory as a segment; null only for boolean arrays, which have no segment view. */
    private final MemorySegment segment;
    /** Offset in elements into {@link #array}, for boolean arrays. */
    private final int offset;
    private final long count;

    private Buf(Datatype datatype, Object array, MemorySegment segment, int offset, long count) {
        this.datatype = datatype;
        this.array = array;
        this.segment = segment;
        this.offset = offset;
        this.count = count;
    }

    // ---------------------------------------------------------------- factories, whole arrays

    /** Returns a view of a whole {@code byte[]}. */
    public static Buf of(byte[] array) {
        return of(array, 0, Objects.requireNonNull(array, "array").length);
    }

    /** Returns a view of a whole {@code boolean[]}. */
    public static Buf of(boolean[] array) {
        return of(array, 0, Objects.requireNonNull(array, "array").length);
    }

    /** Returns a view of a whole {@code char[]}. */
    public static Buf of(char[] array) {
        return of(array, 0, Objects.requireNonNull(array, "array").length);
    }

    /** Returns a view of a whole {@code short[]}. */
    public static Buf of(short[] array) {
        return of(array, 0, Objects.requireNonNull(array, "array").length);
    }

    /** Returns a view of a whole {@code int[]}. */
    public static Buf of(int[] array) {
        return of(array, 0, Objects.requireNonNull(array, "array").length);
    }

    /** Returns a view of a whole {@code float[]}. */
    public static Buf of(float[] array) {
        return of(array, 0, Objects.requireNonNull(array, "array").length);
    }

    /** Returns a view of a whole {@code long[]}. */
    public static Buf of(long[] array) {
        return of(array, 0, Objects.requireNonNull(array, "array").length);
    }

    /** Returns a view of a whole {@code double[]}. */
    public static Buf of(double[] array) {
        return of(array, 0, Objects.requireNonNull(array, "array").length);
    }

    // ---------------------------------------------------------------- factories, slices

    /** Returns a view of {@code length} elements of {@code array} from {@code offset}. */
    public static Buf of(byte[] array, int offset, int length) {
        checkSlice(array, offset, length, array.length);
        return heap(Datatype.BYTE, array, MemorySegment.ofArray(array), offset, length);
    }

    /** Returns a view of {@code length} elements of {@code array} from {@code offset}. */
    public static Buf of(boolean[] array, int offset, int length) {
        checkSlice(array, offset, length, array.length);
        return new Buf(Datatype.BOOLEAN, array, null, offset, length);
    }

    /** Returns a view of {@code length} elements of {@code array} from {@code offset}. */
    public static Buf of(char[] array, int offset, int length) {
        checkSlice(array, offset, length, array.length);
        return heap(Datatype.CHAR, array, MemorySegment.ofArray(array), offset, length);
    }

    /** Returns a view of {@code length} elements of {@code array} from {@code offset}. */
    public static Buf of(short[] array, int offset, int length) {
        checkSlice(array, offset, length, array.length);
        return heap(Datatype.SHORT, array, MemorySegment.ofArray(array), offset, length);
    }

    /** Returns a view of {@code length} elements of {@code array} from {@code offset}. */
    public static Buf of(int[] array, int offset, int length) {
        checkSlice(array, offset, length, array.length);
        return heap(Datatype.INT, array, MemorySegment.ofArray(array), offset, length);
    }

    /** Returns a view of {@code length} elements of {@code array} from {@code offset}. */
    public static Buf of(float[] array, int offset, int length) {
        checkSlice(array, offset, length, array.length);
        return heap(Datatype.FLOAT, array, MemorySegment.ofArray(array), offset, length);
    }

    /** Returns a view of {@code length} elements of {@code array} from {@code offset}. */
    public static Buf of(long[] array, int offset, int length) {
        checkSlice(array, offset, length, array.length);
        return heap(Datatype.LONG, array, MemorySegment.ofArray(array), offset, length);
    }

    /** Returns a view of {@code length} elements of {@code array} from {@code offset}. */
    public static Buf of(double[] array, int offset, int length) {
        checkSlice(array, offset, length, array.length);
        return heap(Datatype.DOUBLE, array, MemorySegment.ofArray(array), offset, length);
    }

    // ---------------------------------------------------------------- factories, off-heap

    /**
     * Returns a byte view of the buffer's remaining bytes (position to limit). The buffer's
     * position is not changed. A read-only buffer can be sent but not received into.
     */
    public static Buf of(ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        MemorySegment segment = MemorySegment.ofBuffer(buffer);
        return new Buf(Datatype.BYTE, null, segment, 0, segment.byteSize());
    }

    /** Returns a byte view of the whole segment. */
    public static Buf of(MemorySegment segment) {
        return of(segment, Datatype.BYTE);
    }

    /**
     * Returns a view of the whole segment as elements of {@code datatype}.
     *
     * @throws MpiException if the segment's size is not a multiple of the datatype's extent,
     *     or the datatype is {@link Datatype#BOOLEAN} or {@link Datatype#OBJECT}
     */
    public static Buf of(MemorySegment segment, Datatype datatype) {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(datatype, "datatype");
        if (datatype == Datatype.OBJECT || datatype == Datatype.BOOLEAN) {
            throw new MpiException(ErrorClass.ARG, "Buf.of(MemorySegment, " + datatype
                    + "): segments hold numeric elements; use BYTE for raw bytes");
        }
        long size = segment.byteSize();
        if (size % datatype.extent() != 0) {
            throw new MpiException(ErrorClass.BUFFER, "Buf.of(MemorySegment, " + datatype + "): segment size "
                    + size + " is not a multiple of the extent " + datatype.extent());
        }
        return new Buf(datatype, null, segment, 0, size / datatype.extent());
    }

    /**
     * Allocates a new array of {@code count} elements of {@code datatype} and returns a view
     * of it. {@link Datatype#OBJECT} allocates a {@code byte[]} to hold an encoded object.
     * Engines use this to receive a message whose size is learned only when it arrives.
     */
    public static Buf allocate(Datatype datatype, int count) {
        Objects.requireNonNull(datatype, "datatype");
        if (count < 0) {
            throw new MpiException(ErrorClass.COUNT, "Buf.allocate: count < 0: " + count);
        }
        return switch (datatype) {
            case BYTE -> of(new byte[count]);
            case BOOLEAN -> of(new boolean[count]);
            case CHAR -> of(new char[count]);
            case SHORT -> of(new short[count]);
            case INT -> of(new int[count]);
            case FLOAT -> of(new float[count]);
            case LONG -> of(new long[count]);
            case DOUBLE -> of(new double[count]);
            case OBJECT -> encoded(new byte[count], count);
        };
    }

    /** Returns an {@link Datatype#OBJECT} view of the first {@code length} bytes of an encoding. */
    static Buf encoded(byte[] bytes, int length) {
        return new Buf(Datatype.OBJECT, bytes, MemorySegment.ofArray(bytes).asSlice(0, length), 0, length);
    }

    /**
     * Returns a view of a primitive array given as an {@code Object}, or null if the object is
     * not a primitive array.
     */
    static Buf ofArrayOrNull(Object value) {
        return switch (value) {
            case byte[] a -> of(a);
            case double[] a -> of(a);
            case int[] a -> of(a);
            case long[] a -> of(a);
            case float[] a -> of(a);
            case short[] a -> of(a);
            case char[] a -> of(a);
            case boolean[] a -> of(a);
            case null, default -> null;
        };
    }

    private static Buf heap(Datatype type, Object array, MemorySegment whole, int offset, int length) {
        long extent = type.extent();
        MemorySegment view = offset == 0 && length * extent == whole.byteSize()
                ? whole : whole.asSlice(offset * extent, length * extent);
        return new Buf(type, array, view, offset, length);
    }

    private static void checkSlice(Object array, int offset, int length, int arrayLength) {
        Objects.requireNonNull(array, "array");
        if (offset < 0) {
            throw new MpiException(ErrorClass.COUNT, "Buf.of: offset < 0: " + offset);
        }
        if (length < 0) {
            throw new MpiException(ErrorClass.COUNT, "Buf.of: length < 0: " + length);
        }
        if ((long) offset + length > arrayLength) {
            throw new MpiException(ErrorClass.COUNT, "Buf.of: offset " + offset + " + length " + length
                    + " exceeds the array length " + arrayLength);
        }
    }

    // ---------------------------------------------------------------- accessors

    /** Returns the element type. */
    public Datatype datatype() {
        return datatype;
    }

    /** Returns the number of elements. */
    public long count() {
        return count;
    }

    /** Returns the size in bytes. */
    public long byteSize() {
        return count * datatype.extent();
    }

    /**
     * Returns the backing primitive array, or null for off-heap memory. For a slice this is
     * the whole array; see {@link #arrayOffset()}.
     */
    public Object array() {
        return array;
    }

    /**
     * Returns the memory as a segment of exactly {@link #byteSize()} bytes, or null for a
     * {@code boolean[]} view, which has no segment (use {@link #array()} and
     * {@link #arrayOffset()}).
     */
    public MemorySegment segment() {
        return segment;
    }

    /** Returns the offset in elements of this view in its {@link #array()}. */
    public int arrayOffset() {
        return offset;
    }

    /** A thread that never runs: a segment it may access is accessible from every thread. */
    private static final Thread ANY_OTHER_THREAD = Thread.ofPlatform().unstarted(() -> { });

    /**
     * Returns whether the memory is a segment of a confined arena, which only its owner
     * thread may touch. The engine may copy on another thread, so such a buffer is copied
     * on the caller's thread before it is sent, and cannot be received into.
     */
    public boolean isThreadConfined() {
        return segment != null && !segment.isAccessibleBy(ANY_OTHER_THREAD);
    }

    /** Returns a copy of this buffer's content in a new heap array of the same element type. */
    public Buf copyToHeap() {
        Buf copy = allocate(datatype, Math.toIntExact(count));
        copy(this, 0, copy, 0, byteSize());
        return copy;
    }

    /**
     * Returns a view of {@code count} elements of this buffer from element {@code offset}:
     * the same memory, not a copy.
     *
     * @throws MpiException of class {@link ErrorClass#COUNT} if the range is not inside this buffer
     */
    public Buf slice(long offset, long count) {
        if (offset < 0 || count < 0 || offset + count > this.count) {
            throw new MpiException(ErrorClass.COUNT, "Buf.slice: elements [" + offset + ", " + (offset + count)
                    + ") are not inside a buffer of " + this.count + " elements");
        }
        int extent = datatype.extent();
        MemorySegment view = segment == null ? null : segment.asSlice(offset * extent, count * extent);
        return new Buf(datatype, array, view, Math.toIntExact(this.offset + offset), count);
    }

    /** Returns whether the memory is read-only, so it can be sent but not received into. */
    public boolean isReadOnly() {
        return segment != null && segment.isReadOnly();
    }

    // ---------------------------------------------------------------- copying

    /**
     * Copies {@code bytes} bytes from this buffer, starting {@code byteOffset} bytes in, into
     * {@code dst} at {@code dstOffset}.
     */
    public void copyTo(long byteOffset, MemorySegment dst, long dstOffset, long bytes) {
        if (segment != null) {
            MemorySegment.copy(segment, byteOffset, dst, dstOffset, bytes);
        } else {
            boolean[] a = (boolean[]) array;
            int base = offset + Math.toIntExact(byteOffset);
            for (int i = 0; i < bytes; i++) {
                dst.set(ValueLayout.JAVA_BYTE, dstOffset + i, a[base + i] ? (byte) 1 : (byte) 0);
            }
        }
    }

    /**
     * Copies {@code bytes} bytes from {@code src} at {@code srcOffset} into this buffer,
     * starting {@code byteOffset} bytes in.
     */
    public void copyFrom(MemorySegment src, long srcOffset, long byteOffset, long bytes) {
        if (segment != null) {
            MemorySegment.copy(src, srcOffset, segment, byteOffset, bytes);
        } else {
            boolean[] a = (boolean[]) array;
            int base = offset + Math.toIntExact(byteOffset);
            for (int i = 0; i < bytes; i++) {
                a[base + i] = src.get(ValueLayout.JAVA_BYTE, srcOffset + i) != 0;
            }
        }
    }

    /**
     * Copies {@code bytes} bytes from {@code src} (from {@code srcOffset}) into {@code dst}
     * (from {@code dstOffset}), in one copy.
     */
    public static void copy(Buf src, long srcOffset, Buf dst, long dstOffset, long bytes) {
        if (bytes == 0) {
            return;
        }
        if (dst.segment != null) {
            src.copyTo(srcOffset, dst.segment, dstOffset, bytes);
        } else if (src.segment != null) {
            dst.copyFrom(src.segment, srcOffset, dstOffset, bytes);
        } else {
            System.arraycopy(src.array, src.offset + Math.toIntExact(srcOffset),
                    dst.array, dst.offset + Math.toIntExact(dstOffset), Math.toIntExact(bytes));
        }
    }

    @Override
    public String toString() {
        String kind = array != null ? array.getClass().getSimpleName() : segment.isNative() ? "native" : "heap";
        return "Buf[" + datatype + " x " + count + ", " + kind + "]";
    }
}
