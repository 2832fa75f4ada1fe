package org.mpi4j;

/**
 * The element type of a message.
 *
 * <p>Every message carries its element type, and a receive checks it: a message of
 * {@code DOUBLE}s cannot be received into an {@code int[]}. This is MPI's type-matching
 * rule, enforced rather than left undefined. Byte order is the platform's.
 *
 * <p>{@link #OBJECT} marks a message sent through the object vocabulary
 * ({@link Comm#send(Object, int, int)}): its elements are the bytes of its serialized form.
 * No {@link Buf} factory produces it; such messages are received with the object forms
 * ({@link Comm#recv(int, int)}).
 */
public enum Datatype {
    /** 8-bit signed integers ({@code byte[]}, {@code ByteBuffer}, untyped {@code MemorySegment}). */
    BYTE(1),
    /** Booleans, one byte each on the wire ({@code boolean[]}). */
    BOOLEAN(1),
    /** 16-bit UTF-16 code units ({@code char[]}). */
    CHAR(2),
    /** 16-bit signed integers ({@code short[]}). */
    SHORT(2),
    /** 32-bit signed integers ({@code int[]}). */
    INT(4),
    /** 32-bit IEEE 754 floats ({@code float[]}). */
    FLOAT(4),
    /** 64-bit signed integers ({@code long[]}). */
    LONG(8),
    /** 64-bit IEEE 754 doubles ({@code double[]}). */
    DOUBLE(8),
    /** A serialized object; one element per byte of its encoding. */
    OBJECT(1);

    private static final Datatype[] VALUES = values();

    private final int extent;

    Datatype(int extent) {
        this.extent = extent;
    }

    /** Returns the size of one element in bytes. */
    public int extent() {
        return extent;
    }

    /**
     * Returns the datatype with the given wire code ({@link #ordinal()}).
     *
     * @throws IllegalArgumentException if no datatype has that code
     */
    public static Datatype ofCode(int code) {
        if (code < 0 || code >= VALUES.length) {
            throw new IllegalArgumentException("unknown datatype code " + code);
        }
        return VALUES[code];
    }
}
