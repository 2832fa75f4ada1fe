package org.mpi4j;

import java.util.Arrays;

/**
 * A growable byte array that a {@link Codec} encodes into. The caller owns it and may reuse
 * it for many encodings, so steady-state encoding allocates nothing.
 */
public final class ByteOutput {
    private byte[] array;
    private int size;

    /** Creates an output with the given initial capacity. */
    public ByteOutput(int initialCapacity) {
        if (initialCapacity < 0) {
            throw new IllegalArgumentException("initialCapacity < 0: " + initialCapacity);
        }
        this.array = new byte[initialCapacity];
    }

    /** Returns the backing array; its first {@link #size()} bytes are the content. */
    public byte[] array() {
        return array;
    }

    /** Returns the number of bytes written. */
    public int size() {
        return size;
    }

    /** Forgets the content, keeping the capacity. */
    public void reset() {
        size = 0;
    }

    /** Makes room for at least {@code capacity} bytes in all, keeping the content. */
    public void ensureCapacity(int capacity) {
        if (capacity > array.length) {
            array = Arrays.copyOf(array, Math.max(capacity, (int) Math.min(Integer.MAX_VALUE - 8, array.length * 2L)));
        }
    }

    /** Appends {@code length} bytes of {@code bytes} from {@code offset}. */
    public void write(byte[] bytes, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
        ensureCapacity(size + length);
        System.arraycopy(bytes, offset, array, size, length);
        size += length;
    }

    /** Appends one byte. */
    public void write(int b) {
        ensureCapacity(size + 1);
        array[size++] = (byte) b;
    }

    /**
     * Replaces the content with the first {@code size} bytes of {@code array}, which this
     * output then owns: for codecs that grow a buffer of their own.
     */
    public void adopt(byte[] array, int size) {
        java.util.Objects.checkFromIndexSize(0, size, array.length);
        this.array = array;
        this.size = size;
    }

    /** Returns a copy of the content. */
    public byte[] toByteArray() {
        return Arrays.copyOf(array, size);
    }
}
