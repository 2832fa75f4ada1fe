package org.mpi4j;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;

/**
 * The loops behind {@link Op}: {@code inout[i] = in[i] ⊕ inout[i]}, one method per element
 * type, with the operation chosen once, outside the loop.
 *
 * <p>Each loop is a plain counted loop over one primitive type with no calls but
 * intrinsics ({@code Math.min}, {@code Math.max}), so that C2 unrolls it, and vectorizes
 * it where it can: over two arrays, with one index for both. Two heap arrays at the same
 * offset are reduced in place, two native segments by loops over the segments, and
 * anything else through a pair of per-thread scratch arrays, a chunk at a time;
 * {@link #apply} explains why.
 *
 * <p>Callers have checked everything: equal datatypes and counts, an even count for the
 * pair operations, that the operation is defined on the type, and that the views are
 * either the same memory or disjoint. Nothing here allocates, but a thread's first
 * chunked reduction of a type allocates its scratch arrays (8 KiB).
 */
final class OpKernels {

    private OpKernels() {
    }

    /**
     * Bytes per chunk of the copying path: small enough that both scratch arrays stay in L1,
     * and a multiple of the largest (value, index) pair, 16 bytes, so no pair is split.
     */
    static final int CHUNK_BYTES = 4096;

    private static final ValueLayout.OfByte B = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfChar C = ValueLayout.JAVA_CHAR_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    /** Each thread's scratch arrays for the copying path, by datatype, made on first use. */
    private static final ThreadLocal<Scratch[]> SCRATCH = ThreadLocal.withInitial(
            () -> new Scratch[Datatype.values().length]);

    private static final Set<Datatype> ARITHMETIC = EnumSet.of(Datatype.BYTE, Datatype.SHORT, Datatype.CHAR,
            Datatype.INT, Datatype.LONG, Datatype.FLOAT, Datatype.DOUBLE);
    private static final Set<Datatype> LOGICAL = EnumSet.of(Datatype.BOOLEAN, Datatype.BYTE, Datatype.SHORT,
            Datatype.CHAR, Datatype.INT, Datatype.LONG);
    private static final Set<Datatype> PAIRS = EnumSet.of(Datatype.INT, Datatype.LONG, Datatype.FLOAT,
            Datatype.DOUBLE);

    /** The built-in operations and the element types each is defined on. */
    enum Builtin {
        SUM(ARITHMETIC), PROD(ARITHMETIC), MIN(ARITHMETIC), MAX(ARITHMETIC),
        LAND(LOGICAL), LOR(LOGICAL), LXOR(LOGICAL),
        BAND(LOGICAL), BOR(LOGICAL), BXOR(LOGICAL),
        MINLOC(PAIRS), MAXLOC(PAIRS);

        private final Set<Datatype> types;

        Builtin(Set<Datatype> types) {
            this.types = types;
        }

        /** Returns the element types of the buffers this operation is defined on; not to be modified. */
        Set<Datatype> types() {
            return types;
        }

        /** Returns whether this operation combines (value, index) pairs. */
        boolean isPairwise() {
            return this == MINLOC || this == MAXLOC;
        }
    }

    // ================================================================== dispatch

    /**
     * Applies a built-in operation: {@code inout[i] = in[i] ⊕ inout[i]}.
     *
     * <p>Three paths, after what C2 (JDK 25) makes of them; times for SUM of 4096 doubles
     * (and of 2<sup>20</sup>), AVX-512, JMH:
     * <ol>
     *   <li>Two heap arrays at the same offset (whole arrays, the usual case): in place,
     *       {@code y[i] = x[i] + y[i]}, vectorized: 0.45 µs (200 µs). One index matters. C2
     *       vectorizes a loop over two arrays only if it can prove that no iteration reads
     *       what an earlier one wrote; for {@code y[yo + i] = x[xo + i] + y[yo + i]} it cannot,
     *       as {@code x} and {@code y} may be one array, and with {@code xo = 0, yo = 1} each
     *       element would depend on the one before. With one index, aliasing is harmless.</li>
     *   <li>Two native segments: a scalar loop over the segments, 1.3 µs (380 µs). Nothing
     *       proves two segments disjoint, so it cannot vectorize, and copying to arrays
     *       costs more than it saves once the data outgrow the caches.</li>
     *   <li>Anything else (arrays at different offsets, a heap array with off-heap memory,
     *       heap {@code ByteBuffer}s, a segment over another array type, and the functions
     *       of {@link Op#ofLongs} and {@link Op#ofDoubles} on native memory): copied a chunk
     *       at a time into two per-thread scratch arrays, reduced there by the loops of
     *       path 1, and copied back, 1.2 to 1.4 µs (535 µs). This keeps heap segments out of path 2: a segment loop that has
     *       seen both heap and native segments is profiled with two implementations at every
     *       access and fell to 8.8 µs.</li>
     * </ol>
     */
    static void apply(Builtin op, Buf in, Buf inout) {
        run(op, null, null, in, inout);
    }

    /**
     * Applies a user function of {@code long}s to an integer buffer, narrowing each result to
     * the element type.
     */
    static void applyLongs(LongBinaryOperator f, Buf in, Buf inout) {
        run(null, f, null, in, inout);
    }

    /**
     * Applies a user function of {@code double}s to a floating-point buffer, rounding each
     * result to the element type.
     */
    static void applyDoubles(DoubleBinaryOperator f, Buf in, Buf inout) {
        run(null, null, f, in, inout);
    }

    /** Reduces with whichever one of {@code op}, {@code lf} and {@code df} is not null. */
    private static void run(Builtin op, LongBinaryOperator lf, DoubleBinaryOperator df, Buf in, Buf inout) {
        Datatype type = in.datatype();
        Object x = in.array();
        Object y = inout.array();
        int from = in.arrayOffset();
        if (type == Datatype.BOOLEAN) { // no segment view, and short: one loop with two offsets
            booleans(op, (boolean[]) x, from, (boolean[]) y, inout.arrayOffset(), (int) in.count());
        } else if (x != null && y != null && from == inout.arrayOffset()) {
            kernel(op, lf, df, type, x, y, from, from + (int) in.count());
        } else if (op != null && in.segment().isNative() && inout.segment().isNative()) {
            segments(op, type, in.segment(), inout.segment(), in.byteSize());
        } else {
            Scratch[] slots = SCRATCH.get();
            Scratch s = take(slots, type);
            MemorySegment xs = in.segment();
            MemorySegment ys = inout.segment();
            long bytes = in.byteSize();
            for (long done = 0; done < bytes; done += CHUNK_BYTES) {
                long n = Math.min(CHUNK_BYTES, bytes - done);
                MemorySegment.copy(xs, done, s.xs, 0, n);
                MemorySegment.copy(ys, done, s.ys, 0, n);
                kernel(op, lf, df, type, s.x, s.y, 0, (int) n / type.extent());
                MemorySegment.copy(s.ys, 0, ys, done, n);
            }
            slots[type.ordinal()] = s;
        }
    }

    private static void kernel(Builtin op, LongBinaryOperator lf, DoubleBinaryOperator df, Datatype type,
            Object x, Object y, int from, int to) {
        if (op != null) {
            switch (type) {
                case BYTE -> bytes(op, (byte[]) x, (byte[]) y, from, to);
                case CHAR -> chars(op, (char[]) x, (char[]) y, from, to);
                case SHORT -> shorts(op, (short[]) x, (short[]) y, from, to);
                case INT -> ints(op, (int[]) x, (int[]) y, from, to);
                case FLOAT -> floats(op, (float[]) x, (float[]) y, from, to);
                case LONG -> longs(op, (long[]) x, (long[]) y, from, to);
                case DOUBLE -> doubles(op, (double[]) x, (double[]) y, from, to);
                case BOOLEAN, OBJECT -> throw new AssertionError(op + " on " + type);
            }
        } else if (lf != null) {
            userLongs(lf, type, x, y, from, to);
        } else {
            userDoubles(df, type, x, y, from, to);
        }
    }

    private static void segments(Builtin op, Datatype type, MemorySegment x, MemorySegment y, long bytes) {
        switch (type) {
            case BYTE -> bytes(op, x, y, bytes);
            case CHAR -> chars(op, x, y, bytes);
            case SHORT -> shorts(op, x, y, bytes);
            case INT -> ints(op, x, y, bytes);
            case FLOAT -> floats(op, x, y, bytes);
            case LONG -> longs(op, x, y, bytes);
            case DOUBLE -> doubles(op, x, y, bytes);
            case BOOLEAN, OBJECT -> throw new AssertionError(op + " on " + type);
        }
    }

    /** A thread's two scratch arrays of one element type, and their segments. */
    private record Scratch(Object x, Object y, MemorySegment xs, MemorySegment ys) {
    }

    /**
     * Takes this thread's scratch arrays for {@code type} out of their slot, to be put back
     * when done: a user function that reduces again on the same thread while they are in
     * use gets fresh ones instead of overwriting them (and if it throws, they are dropped).
     */
    private static Scratch take(Scratch[] slots, Datatype type) {
        Scratch s = slots[type.ordinal()];
        if (s == null) {
            Buf x = Buf.allocate(type, CHUNK_BYTES / type.extent());
            Buf y = Buf.allocate(type, CHUNK_BYTES / type.extent());
            return new Scratch(x.array(), y.array(), x.segment(), y.segment());
        }
        slots[type.ordinal()] = null;
        return s;
    }

    // ================================================================== scalars

    /**
     * Applies a built-in operation to two integers of an integer type, widened to
     * {@code long} (sign-extended, or zero-extended for {@code char}); the caller narrows the
     * result back. Narrowing keeps the low bits, which are those of the same operation done
     * in the narrow type, so the results are those of the array kernels.
     */
    static long scalar(Builtin op, long x, long y) {
        return switch (op) {
            case SUM -> x + y;
            case PROD -> x * y;
            case MIN -> Math.min(x, y);
            case MAX -> Math.max(x, y);
            case LAND -> x != 0 & y != 0 ? 1 : 0;
            case LOR -> x != 0 | y != 0 ? 1 : 0;
            case LXOR -> x != 0 ^ y != 0 ? 1 : 0;
            case BAND -> x & y;
            case BOR -> x | y;
            case BXOR -> x ^ y;
            case MINLOC, MAXLOC -> throw new AssertionError(op + " on a scalar");
        };
    }

    /**
     * Applies an arithmetic built-in operation to two floating-point numbers widened to
     * {@code double}. For {@code float}s, rounding the {@code double} result gives the
     * {@code float} operation's result: a double holds more than twice a float's precision.
     */
    static double scalar(Builtin op, double x, double y) {
        return switch (op) {
            case SUM -> x + y;
            case PROD -> x * y;
            case MIN -> Math.min(x, y);
            case MAX -> Math.max(x, y);
            default -> throw new AssertionError(op + " on a floating-point scalar");
        };
    }

    /** Applies a logical or bitwise built-in operation to two booleans. */
    static boolean scalar(Builtin op, boolean x, boolean y) {
        return switch (op) {
            case LAND, BAND -> x & y;
            case LOR, BOR -> x | y;
            case LXOR, BXOR -> x ^ y;
            default -> throw new AssertionError(op + " on a boolean");
        };
    }

    // ================================================================== heap arrays

    /** Booleans have no segment view, so this one heap kernel takes two offsets. */
    private static void booleans(Builtin op, boolean[] x, int xo, boolean[] y, int yo, int n) {
        switch (op) {
            case LAND, BAND -> { for (int i = 0; i < n; i++) { y[yo + i] = x[xo + i] & y[yo + i]; } }
            case LOR, BOR -> { for (int i = 0; i < n; i++) { y[yo + i] = x[xo + i] | y[yo + i]; } }
            case LXOR, BXOR -> { for (int i = 0; i < n; i++) { y[yo + i] = x[xo + i] ^ y[yo + i]; } }
            default -> throw new AssertionError(op + " on BOOLEAN");
        }
    }

    private static void bytes(Builtin op, byte[] x, byte[] y, int from, int to) {
        switch (op) {
            case SUM -> { for (int i = from; i < to; i++) { y[i] = (byte) (x[i] + y[i]); } }
            case PROD -> { for (int i = from; i < to; i++) { y[i] = (byte) (x[i] * y[i]); } }
            case MIN -> { for (int i = from; i < to; i++) { y[i] = (byte) Math.min(x[i], y[i]); } }
            case MAX -> { for (int i = from; i < to; i++) { y[i] = (byte) Math.max(x[i], y[i]); } }
            case LAND -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 & y[i] != 0 ? (byte) 1 : 0; } }
            case LOR -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 | y[i] != 0 ? (byte) 1 : 0; } }
            case LXOR -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 ^ y[i] != 0 ? (byte) 1 : 0; } }
            case BAND -> { for (int i = from; i < to; i++) { y[i] = (byte) (x[i] & y[i]); } }
            case BOR -> { for (int i = from; i < to; i++) { y[i] = (byte) (x[i] | y[i]); } }
            case BXOR -> { for (int i = from; i < to; i++) { y[i] = (byte) (x[i] ^ y[i]); } }
            case MINLOC, MAXLOC -> throw new AssertionError(op + " on BYTE");
        }
    }

    private static void shorts(Builtin op, short[] x, short[] y, int from, int to) {
        switch (op) {
            case SUM -> { for (int i = from; i < to; i++) { y[i] = (short) (x[i] + y[i]); } }
            case PROD -> { for (int i = from; i < to; i++) { y[i] = (short) (x[i] * y[i]); } }
            case MIN -> { for (int i = from; i < to; i++) { y[i] = (short) Math.min(x[i], y[i]); } }
            case MAX -> { for (int i = from; i < to; i++) { y[i] = (short) Math.max(x[i], y[i]); } }
            case LAND -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 & y[i] != 0 ? (short) 1 : 0; } }
            case LOR -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 | y[i] != 0 ? (short) 1 : 0; } }
            case LXOR -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 ^ y[i] != 0 ? (short) 1 : 0; } }
            case BAND -> { for (int i = from; i < to; i++) { y[i] = (short) (x[i] & y[i]); } }
            case BOR -> { for (int i = from; i < to; i++) { y[i] = (short) (x[i] | y[i]); } }
            case BXOR -> { for (int i = from; i < to; i++) { y[i] = (short) (x[i] ^ y[i]); } }
            case MINLOC, MAXLOC -> throw new AssertionError(op + " on SHORT");
        }
    }

    /** {@code char}s are unsigned 16-bit integers: they widen with zeros, so MIN and MAX compare them unsigned. */
    private static void chars(Builtin op, char[] x, char[] y, int from, int to) {
        switch (op) {
            case SUM -> { for (int i = from; i < to; i++) { y[i] = (char) (x[i] + y[i]); } }
            case PROD -> { for (int i = from; i < to; i++) { y[i] = (char) (x[i] * y[i]); } }
            case MIN -> { for (int i = from; i < to; i++) { y[i] = (char) Math.min(x[i], y[i]); } }
            case MAX -> { for (int i = from; i < to; i++) { y[i] = (char) Math.max(x[i], y[i]); } }
            case LAND -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 & y[i] != 0 ? (char) 1 : 0; } }
            case LOR -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 | y[i] != 0 ? (char) 1 : 0; } }
            case LXOR -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 ^ y[i] != 0 ? (char) 1 : 0; } }
            case BAND -> { for (int i = from; i < to; i++) { y[i] = (char) (x[i] & y[i]); } }
            case BOR -> { for (int i = from; i < to; i++) { y[i] = (char) (x[i] | y[i]); } }
            case BXOR -> { for (int i = from; i < to; i++) { y[i] = (char) (x[i] ^ y[i]); } }
            case MINLOC, MAXLOC -> throw new AssertionError(op + " on CHAR");
        }
    }

    private static void ints(Builtin op, int[] x, int[] y, int from, int to) {
        switch (op) {
            case SUM -> { for (int i = from; i < to; i++) { y[i] = x[i] + y[i]; } }
            case PROD -> { for (int i = from; i < to; i++) { y[i] = x[i] * y[i]; } }
            case MIN -> { for (int i = from; i < to; i++) { y[i] = Math.min(x[i], y[i]); } }
            case MAX -> { for (int i = from; i < to; i++) { y[i] = Math.max(x[i], y[i]); } }
            case LAND -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 & y[i] != 0 ? 1 : 0; } }
            case LOR -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 | y[i] != 0 ? 1 : 0; } }
            case LXOR -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 ^ y[i] != 0 ? 1 : 0; } }
            case BAND -> { for (int i = from; i < to; i++) { y[i] = x[i] & y[i]; } }
            case BOR -> { for (int i = from; i < to; i++) { y[i] = x[i] | y[i]; } }
            case BXOR -> { for (int i = from; i < to; i++) { y[i] = x[i] ^ y[i]; } }
            case MINLOC, MAXLOC -> intPairs(op == Builtin.MINLOC, x, y, from, to);
        }
    }

    /** MINLOC ({@code min}) or MAXLOC over (value, index) pairs; ties keep the smaller index. */
    private static void intPairs(boolean min, int[] x, int[] y, int from, int to) {
        for (int i = from; i < to; i += 2) {
            int v = x[i];
            int w = y[i];
            if (min ? v < w : v > w) {
                y[i] = v;
                y[i + 1] = x[i + 1];
            } else if (v == w) {
                y[i + 1] = Math.min(x[i + 1], y[i + 1]);
            }
        }
    }

    private static void longs(Builtin op, long[] x, long[] y, int from, int to) {
        switch (op) {
            case SUM -> { for (int i = from; i < to; i++) { y[i] = x[i] + y[i]; } }
            case PROD -> { for (int i = from; i < to; i++) { y[i] = x[i] * y[i]; } }
            case MIN -> { for (int i = from; i < to; i++) { y[i] = Math.min(x[i], y[i]); } }
            case MAX -> { for (int i = from; i < to; i++) { y[i] = Math.max(x[i], y[i]); } }
            case LAND -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 & y[i] != 0 ? 1 : 0; } }
            case LOR -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 | y[i] != 0 ? 1 : 0; } }
            case LXOR -> { for (int i = from; i < to; i++) { y[i] = x[i] != 0 ^ y[i] != 0 ? 1 : 0; } }
            case BAND -> { for (int i = from; i < to; i++) { y[i] = x[i] & y[i]; } }
            case BOR -> { for (int i = from; i < to; i++) { y[i] = x[i] | y[i]; } }
            case BXOR -> { for (int i = from; i < to; i++) { y[i] = x[i] ^ y[i]; } }
            case MINLOC, MAXLOC -> longPairs(op == Builtin.MINLOC, x, y, from, to);
        }
    }

    /** As {@link #intPairs}, for {@code long}s. */
    private static void longPairs(boolean min, long[] x, long[] y, int from, int to) {
        for (int i = from; i < to; i += 2) {
            long v = x[i];
            long w = y[i];
            if (min ? v < w : v > w) {
                y[i] = v;
                y[i + 1] = x[i + 1];
            } else if (v == w) {
                y[i + 1] = Math.min(x[i + 1], y[i + 1]);
            }
        }
    }

    /**
     * MIN and MAX are {@code Math.min} and {@code Math.max}: a NaN wins, and -0.0 is less than
     * 0.0. MINLOC and MAXLOC order values as {@code Float.compare} does (every NaN equal, and
     * greater than everything else), a total order, so the result does not depend on the
     * order in which ranks are combined; ties keep the smaller index.
     */
    private static void floats(Builtin op, float[] x, float[] y, int from, int to) {
        switch (op) {
            case SUM -> { for (int i = from; i < to; i++) { y[i] = x[i] + y[i]; } }
            case PROD -> { for (int i = from; i < to; i++) { y[i] = x[i] * y[i]; } }
            case MIN -> { for (int i = from; i < to; i++) { y[i] = Math.min(x[i], y[i]); } }
            case MAX -> { for (int i = from; i < to; i++) { y[i] = Math.max(x[i], y[i]); } }
            case MINLOC, MAXLOC -> floatPairs(op == Builtin.MINLOC ? 1 : -1, x, y, from, to);
            default -> throw new AssertionError(op + " on FLOAT");
        }
    }

    /** MINLOC ({@code sign} 1) or MAXLOC ({@code sign} -1) in the order of {@link Float#compare}. */
    private static void floatPairs(int sign, float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i += 2) {
            int c = sign * Float.compare(x[i], y[i]);
            if (c < 0 || c == 0 && Float.compare(x[i + 1], y[i + 1]) < 0) {
                y[i] = x[i];
                y[i + 1] = x[i + 1];
            }
        }
    }

    /** As {@link #floats(Builtin, float[], float[], int, int)}, for {@code double}s. */
    private static void doubles(Builtin op, double[] x, double[] y, int from, int to) {
        switch (op) {
            case SUM -> { for (int i = from; i < to; i++) { y[i] = x[i] + y[i]; } }
            case PROD -> { for (int i = from; i < to; i++) { y[i] = x[i] * y[i]; } }
            case MIN -> { for (int i = from; i < to; i++) { y[i] = Math.min(x[i], y[i]); } }
            case MAX -> { for (int i = from; i < to; i++) { y[i] = Math.max(x[i], y[i]); } }
            case MINLOC, MAXLOC -> doublePairs(op == Builtin.MINLOC ? 1 : -1, x, y, from, to);
            default -> throw new AssertionError(op + " on DOUBLE");
        }
    }

    /** As {@link #floatPairs}, for {@code double}s. */
    private static void doublePairs(int sign, double[] x, double[] y, int from, int to) {
        for (int i = from; i < to; i += 2) {
            int c = sign * Double.compare(x[i], y[i]);
            if (c < 0 || c == 0 && Double.compare(x[i + 1], y[i + 1]) < 0) {
                y[i] = x[i];
                y[i + 1] = x[i + 1];
            }
        }
    }

    // ================================================================== off-heap segments

    // Only native segments reach these loops: one that also saw heap segments would be
    // profiled with two implementations at every access and could fall to a call per
    // element. Native and mapped segments reach them alike.

    private static void bytes(Builtin op, MemorySegment x, MemorySegment y, long bytes) {
        switch (op) {
            case SUM -> { for (long o = 0; o < bytes; o++) { y.set(B, o, (byte) (x.get(B, o) + y.get(B, o))); } }
            case PROD -> { for (long o = 0; o < bytes; o++) { y.set(B, o, (byte) (x.get(B, o) * y.get(B, o))); } }
            case MIN -> { for (long o = 0; o < bytes; o++) { y.set(B, o, (byte) Math.min(x.get(B, o), y.get(B, o))); } }
            case MAX -> { for (long o = 0; o < bytes; o++) { y.set(B, o, (byte) Math.max(x.get(B, o), y.get(B, o))); } }
            case LAND -> { for (long o = 0; o < bytes; o++) { y.set(B, o, x.get(B, o) != 0 & y.get(B, o) != 0 ? (byte) 1 : 0); } }
            case LOR -> { for (long o = 0; o < bytes; o++) { y.set(B, o, x.get(B, o) != 0 | y.get(B, o) != 0 ? (byte) 1 : 0); } }
            case LXOR -> { for (long o = 0; o < bytes; o++) { y.set(B, o, x.get(B, o) != 0 ^ y.get(B, o) != 0 ? (byte) 1 : 0); } }
            case BAND -> { for (long o = 0; o < bytes; o++) { y.set(B, o, (byte) (x.get(B, o) & y.get(B, o))); } }
            case BOR -> { for (long o = 0; o < bytes; o++) { y.set(B, o, (byte) (x.get(B, o) | y.get(B, o))); } }
            case BXOR -> { for (long o = 0; o < bytes; o++) { y.set(B, o, (byte) (x.get(B, o) ^ y.get(B, o))); } }
            case MINLOC, MAXLOC -> throw new AssertionError(op + " on BYTE");
        }
    }

    private static void shorts(Builtin op, MemorySegment x, MemorySegment y, long bytes) {
        switch (op) {
            case SUM -> { for (long o = 0; o < bytes; o += 2) { y.set(S, o, (short) (x.get(S, o) + y.get(S, o))); } }
            case PROD -> { for (long o = 0; o < bytes; o += 2) { y.set(S, o, (short) (x.get(S, o) * y.get(S, o))); } }
            case MIN -> { for (long o = 0; o < bytes; o += 2) { y.set(S, o, (short) Math.min(x.get(S, o), y.get(S, o))); } }
            case MAX -> { for (long o = 0; o < bytes; o += 2) { y.set(S, o, (short) Math.max(x.get(S, o), y.get(S, o))); } }
            case LAND -> { for (long o = 0; o < bytes; o += 2) { y.set(S, o, x.get(S, o) != 0 & y.get(S, o) != 0 ? (short) 1 : 0); } }
            case LOR -> { for (long o = 0; o < bytes; o += 2) { y.set(S, o, x.get(S, o) != 0 | y.get(S, o) != 0 ? (short) 1 : 0); } }
            case LXOR -> { for (long o = 0; o < bytes; o += 2) { y.set(S, o, x.get(S, o) != 0 ^ y.get(S, o) != 0 ? (short) 1 : 0); } }
            case BAND -> { for (long o = 0; o < bytes; o += 2) { y.set(S, o, (short) (x.get(S, o) & y.get(S, o))); } }
            case BOR -> { for (long o = 0; o < bytes; o += 2) { y.set(S, o, (short) (x.get(S, o) | y.get(S, o))); } }
            case BXOR -> { for (long o = 0; o < bytes; o += 2) { y.set(S, o, (short) (x.get(S, o) ^ y.get(S, o))); } }
            case MINLOC, MAXLOC -> throw new AssertionError(op + " on SHORT");
        }
    }

    private static void chars(Builtin op, MemorySegment x, MemorySegment y, long bytes) {
        switch (op) {
            case SUM -> { for (long o = 0; o < bytes; o += 2) { y.set(C, o, (char) (x.get(C, o) + y.get(C, o))); } }
            case PROD -> { for (long o = 0; o < bytes; o += 2) { y.set(C, o, (char) (x.get(C, o) * y.get(C, o))); } }
            case MIN -> { for (long o = 0; o < bytes; o += 2) { y.set(C, o, (char) Math.min(x.get(C, o), y.get(C, o))); } }
            case MAX -> { for (long o = 0; o < bytes; o += 2) { y.set(C, o, (char) Math.max(x.get(C, o), y.get(C, o))); } }
            case LAND -> { for (long o = 0; o < bytes; o += 2) { y.set(C, o, x.get(C, o) != 0 & y.get(C, o) != 0 ? (char) 1 : 0); } }
            case LOR -> { for (long o = 0; o < bytes; o += 2) { y.set(C, o, x.get(C, o) != 0 | y.get(C, o) != 0 ? (char) 1 : 0); } }
            case LXOR -> { for (long o = 0; o < bytes; o += 2) { y.set(C, o, x.get(C, o) != 0 ^ y.get(C, o) != 0 ? (char) 1 : 0); } }
            case BAND -> { for (long o = 0; o < bytes; o += 2) { y.set(C, o, (char) (x.get(C, o) & y.get(C, o))); } }
            case BOR -> { for (long o = 0; o < bytes; o += 2) { y.set(C, o, (char) (x.get(C, o) | y.get(C, o))); } }
            case BXOR -> { for (long o = 0; o < bytes; o += 2) { y.set(C, o, (char) (x.get(C, o) ^ y.get(C, o))); } }
            case MINLOC, MAXLOC -> throw new AssertionError(op + " on CHAR");
        }
    }

    private static void ints(Builtin op, MemorySegment x, MemorySegment y, long bytes) {
        switch (op) {
            case SUM -> { for (long o = 0; o < bytes; o += 4) { y.set(I, o, x.get(I, o) + y.get(I, o)); } }
            case PROD -> { for (long o = 0; o < bytes; o += 4) { y.set(I, o, x.get(I, o) * y.get(I, o)); } }
            case MIN -> { for (long o = 0; o < bytes; o += 4) { y.set(I, o, Math.min(x.get(I, o), y.get(I, o))); } }
            case MAX -> { for (long o = 0; o < bytes; o += 4) { y.set(I, o, Math.max(x.get(I, o), y.get(I, o))); } }
            case LAND -> { for (long o = 0; o < bytes; o += 4) { y.set(I, o, x.get(I, o) != 0 & y.get(I, o) != 0 ? 1 : 0); } }
            case LOR -> { for (long o = 0; o < bytes; o += 4) { y.set(I, o, x.get(I, o) != 0 | y.get(I, o) != 0 ? 1 : 0); } }
            case LXOR -> { for (long o = 0; o < bytes; o += 4) { y.set(I, o, x.get(I, o) != 0 ^ y.get(I, o) != 0 ? 1 : 0); } }
            case BAND -> { for (long o = 0; o < bytes; o += 4) { y.set(I, o, x.get(I, o) & y.get(I, o)); } }
            case BOR -> { for (long o = 0; o < bytes; o += 4) { y.set(I, o, x.get(I, o) | y.get(I, o)); } }
            case BXOR -> { for (long o = 0; o < bytes; o += 4) { y.set(I, o, x.get(I, o) ^ y.get(I, o)); } }
            case MINLOC, MAXLOC -> {
                boolean min = op == Builtin.MINLOC;
                for (long o = 0; o < bytes; o += 8) {
                    int v = x.get(I, o);
                    int w = y.get(I, o);
                    if (min ? v < w : v > w) {
                        y.set(I, o, v);
                        y.set(I, o + 4, x.get(I, o + 4));
                    } else if (v == w) {
                        y.set(I, o + 4, Math.min(x.get(I, o + 4), y.get(I, o + 4)));
                    }
                }
            }
        }
    }

    private static void longs(Builtin op, MemorySegment x, MemorySegment y, long bytes) {
        switch (op) {
            case SUM -> { for (long o = 0; o < bytes; o += 8) { y.set(L, o, x.get(L, o) + y.get(L, o)); } }
            case PROD -> { for (long o = 0; o < bytes; o += 8) { y.set(L, o, x.get(L, o) * y.get(L, o)); } }
            case MIN -> { for (long o = 0; o < bytes; o += 8) { y.set(L, o, Math.min(x.get(L, o), y.get(L, o))); } }
            case MAX -> { for (long o = 0; o < bytes; o += 8) { y.set(L, o, Math.max(x.get(L, o), y.get(L, o))); } }
            case LAND -> { for (long o = 0; o < bytes; o += 8) { y.set(L, o, x.get(L, o) != 0 & y.get(L, o) != 0 ? 1 : 0); } }
            case LOR -> { for (long o = 0; o < bytes; o += 8) { y.set(L, o, x.get(L, o) != 0 | y.get(L, o) != 0 ? 1 : 0); } }
            case LXOR -> { for (long o = 0; o < bytes; o += 8) { y.set(L, o, x.get(L, o) != 0 ^ y.get(L, o) != 0 ? 1 : 0); } }
            case BAND -> { for (long o = 0; o < bytes; o += 8) { y.set(L, o, x.get(L, o) & y.get(L, o)); } }
            case BOR -> { for (long o = 0; o < bytes; o += 8) { y.set(L, o, x.get(L, o) | y.get(L, o)); } }
            case BXOR -> { for (long o = 0; o < bytes; o += 8) { y.set(L, o, x.get(L, o) ^ y.get(L, o)); } }
            case MINLOC, MAXLOC -> {
                boolean min = op == Builtin.MINLOC;
                for (long o = 0; o < bytes; o += 16) {
                    long v = x.get(L, o);
                    long w = y.get(L, o);
                    if (min ? v < w : v > w) {
                        y.set(L, o, v);
                        y.set(L, o + 8, x.get(L, o + 8));
                    } else if (v == w) {
                        y.set(L, o + 8, Math.min(x.get(L, o + 8), y.get(L, o + 8)));
                    }
                }
            }
        }
    }

    private static void floats(Builtin op, MemorySegment x, MemorySegment y, long bytes) {
        switch (op) {
            case SUM -> { for (long o = 0; o < bytes; o += 4) { y.set(F, o, x.get(F, o) + y.get(F, o)); } }
            case PROD -> { for (long o = 0; o < bytes; o += 4) { y.set(F, o, x.get(F, o) * y.get(F, o)); } }
            case MIN -> { for (long o = 0; o < bytes; o += 4) { y.set(F, o, Math.min(x.get(F, o), y.get(F, o))); } }
            case MAX -> { for (long o = 0; o < bytes; o += 4) { y.set(F, o, Math.max(x.get(F, o), y.get(F, o))); } }
            case MINLOC, MAXLOC -> {
                int sign = op == Builtin.MINLOC ? 1 : -1;
                for (long o = 0; o < bytes; o += 8) {
                    float v = x.get(F, o);
                    float k = x.get(F, o + 4);
                    int c = sign * Float.compare(v, y.get(F, o));
                    if (c < 0 || c == 0 && Float.compare(k, y.get(F, o + 4)) < 0) {
                        y.set(F, o, v);
                        y.set(F, o + 4, k);
                    }
                }
            }
            default -> throw new AssertionError(op + " on FLOAT");
        }
    }

    private static void doubles(Builtin op, MemorySegment x, MemorySegment y, long bytes) {
        switch (op) {
            case SUM -> { for (long o = 0; o < bytes; o += 8) { y.set(D, o, x.get(D, o) + y.get(D, o)); } }
            case PROD -> { for (long o = 0; o < bytes; o += 8) { y.set(D, o, x.get(D, o) * y.get(D, o)); } }
            case MIN -> { for (long o = 0; o < bytes; o += 8) { y.set(D, o, Math.min(x.get(D, o), y.get(D, o))); } }
            case MAX -> { for (long o = 0; o < bytes; o += 8) { y.set(D, o, Math.max(x.get(D, o), y.get(D, o))); } }
            case MINLOC, MAXLOC -> {
                int sign = op == Builtin.MINLOC ? 1 : -1;
                for (long o = 0; o < bytes; o += 16) {
                    double v = x.get(D, o);
                    double k = x.get(D, o + 8);
                    int c = sign * Double.compare(v, y.get(D, o));
                    if (c < 0 || c == 0 && Double.compare(k, y.get(D, o + 8)) < 0) {
                        y.set(D, o, v);
                        y.set(D, o + 8, k);
                    }
                }
            }
            default -> throw new AssertionError(op + " on DOUBLE");
        }
    }

    // ================================================================== user functions

    private static void userLongs(LongBinaryOperator f, Datatype type, Object xa, Object ya, int from, int to) {
        switch (type) {
            case BYTE -> {
                byte[] x = (byte[]) xa;
                byte[] y = (byte[]) ya;
                for (int i = from; i < to; i++) {
                    y[i] = (byte) f.applyAsLong(x[i], y[i]);
                }
            }
            case SHORT -> {
                short[] x = (short[]) xa;
                short[] y = (short[]) ya;
                for (int i = from; i < to; i++) {
                    y[i] = (short) f.applyAsLong(x[i], y[i]);
                }
            }
            case CHAR -> {
                char[] x = (char[]) xa;
                char[] y = (char[]) ya;
                for (int i = from; i < to; i++) {
                    y[i] = (char) f.applyAsLong(x[i], y[i]);
                }
            }
            case INT -> {
                int[] x = (int[]) xa;
                int[] y = (int[]) ya;
                for (int i = from; i < to; i++) {
                    y[i] = (int) f.applyAsLong(x[i], y[i]);
                }
            }
            case LONG -> {
                long[] x = (long[]) xa;
                long[] y = (long[]) ya;
                for (int i = from; i < to; i++) {
                    y[i] = f.applyAsLong(x[i], y[i]);
                }
            }
            default -> throw new AssertionError("ofLongs on " + type);
        }
    }

    private static void userDoubles(DoubleBinaryOperator f, Datatype type, Object xa, Object ya, int from, int to) {
        switch (type) {
            case FLOAT -> {
                float[] x = (float[]) xa;
                float[] y = (float[]) ya;
                for (int i = from; i < to; i++) {
                    y[i] = (float) f.applyAsDouble(x[i], y[i]);
                }
            }
            case DOUBLE -> {
                double[] x = (double[]) xa;
                double[] y = (double[]) ya;
                for (int i = from; i < to; i++) {
                    y[i] = f.applyAsDouble(x[i], y[i]);
                }
            }
            default -> throw new AssertionError("ofDoubles on " + type);
        }
    }
}
