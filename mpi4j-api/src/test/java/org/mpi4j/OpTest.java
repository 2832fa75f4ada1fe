package org.mpi4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.function.Executable;

/**
 * Every operation on every datatype it is defined on, against plain reference computations,
 * over every kind of memory a {@link Buf} can view (whole arrays, slices, native and
 * misaligned segments, direct and heap {@code ByteBuffer}s, segments over a {@code byte[]})
 * in every pairing; and an error for every pair it is not defined on. Randomized tests print
 * their seed; {@code -Dmpi4j.test.seed=...} replays one.
 */
class OpTest {

    private static final Op[] BUILTINS = {Op.SUM, Op.PROD, Op.MIN, Op.MAX, Op.LAND, Op.LOR, Op.LXOR,
        Op.BAND, Op.BOR, Op.BXOR, Op.MINLOC, Op.MAXLOC};
    private static final int ROUNDS = 24;

    private static long seed(TestInfo info) {
        String set = System.getProperty("mpi4j.test.seed");
        long seed = set != null ? Long.parseLong(set) : System.nanoTime();
        System.out.println(info.getDisplayName() + ": seed " + seed + " (replay with -Dmpi4j.test.seed=" + seed + ")");
        return seed;
    }

    private static MpiException assertMpi(ErrorClass errorClass, String message, Executable call) {
        MpiException e = assertThrows(MpiException.class, call);
        assertEquals(message, e.getMessage());
        assertEquals(errorClass, e.errorClass(), message);
        return e;
    }

    /** The table of {@link Op}'s javadoc, spelled out on its own. */
    private static boolean defined(Op op, Datatype t) {
        return switch (op.name()) {
            case "SUM", "PROD", "MIN", "MAX" -> t != Datatype.BOOLEAN && t != Datatype.OBJECT;
            case "LAND", "LOR", "LXOR", "BAND", "BOR", "BXOR" ->
                t != Datatype.FLOAT && t != Datatype.DOUBLE && t != Datatype.OBJECT;
            case "MINLOC", "MAXLOC" -> t == Datatype.INT || t == Datatype.LONG || t == Datatype.FLOAT
                    || t == Datatype.DOUBLE;
            default -> throw new AssertionError(op);
        };
    }

    private static boolean pairwise(Op op) {
        return op == Op.MINLOC || op == Op.MAXLOC;
    }

    // ================================================================== arrays, generically

    private static Class<?> elementClass(Datatype t) {
        return switch (t) {
            case BYTE -> byte.class;
            case BOOLEAN -> boolean.class;
            case CHAR -> char.class;
            case SHORT -> short.class;
            case INT -> int.class;
            case FLOAT -> float.class;
            case LONG -> long.class;
            case DOUBLE -> double.class;
            case OBJECT -> throw new AssertionError(t);
        };
    }

    private static Object newArray(Datatype t, int n) {
        return Array.newInstance(elementClass(t), n);
    }

    private static Object copyOf(Object array) {
        int n = Array.getLength(array);
        Object copy = Array.newInstance(array.getClass().componentType(), n);
        System.arraycopy(array, 0, copy, 0, n);
        return copy;
    }

    /** An integer element widened to long: sign-extended, but a char zero-extended. */
    private static long lget(Object a, int i) {
        return a instanceof char[] c ? c[i] : ((Number) Array.get(a, i)).longValue();
    }

    private static void lset(Object a, int i, long v) {
        switch (a) {
            case byte[] b -> b[i] = (byte) v;
            case short[] s -> s[i] = (short) v;
            case char[] c -> c[i] = (char) v;
            case int[] n -> n[i] = (int) v;
            case long[] l -> l[i] = v;
            default -> throw new AssertionError(a.getClass());
        }
    }

    private static double dget(Object a, int i) {
        return a instanceof float[] f ? f[i] : ((double[]) a)[i];
    }

    private static void dset(Object a, int i, double v) {
        if (a instanceof float[] f) {
            f[i] = (float) v;
        } else {
            ((double[]) a)[i] = v;
        }
    }

    /** A view of {@code length} elements of {@code array} from {@code offset}, through the public factories. */
    private static Buf wrap(Object array, int offset, int length) {
        return switch (array) {
            case byte[] a -> Buf.of(a, offset, length);
            case boolean[] a -> Buf.of(a, offset, length);
            case char[] a -> Buf.of(a, offset, length);
            case short[] a -> Buf.of(a, offset, length);
            case int[] a -> Buf.of(a, offset, length);
            case float[] a -> Buf.of(a, offset, length);
            case long[] a -> Buf.of(a, offset, length);
            case double[] a -> Buf.of(a, offset, length);
            default -> throw new AssertionError(array.getClass());
        };
    }

    private static Buf wrap(Object array) {
        return wrap(array, 0, Array.getLength(array));
    }

    /** Asserts equal elements; floating-point ones bit for bit, except that all NaNs are equal. */
    private static void assertElements(Object expected, Object actual, String context) {
        switch (expected) {
            case byte[] e -> assertArrayEquals(e, (byte[]) actual, context);
            case boolean[] e -> assertArrayEquals(e, (boolean[]) actual, context);
            case char[] e -> assertArrayEquals(e, (char[]) actual, context);
            case short[] e -> assertArrayEquals(e, (short[]) actual, context);
            case int[] e -> assertArrayEquals(e, (int[]) actual, context);
            case float[] e -> assertArrayEquals(e, (float[]) actual, context);
            case long[] e -> assertArrayEquals(e, (long[]) actual, context);
            case double[] e -> assertArrayEquals(e, (double[]) actual, context);
            default -> throw new AssertionError(expected.getClass());
        }
    }

    private static String show(Object array) {
        return Array.getLength(array) > 16 ? Array.getLength(array) + " elements" : switch (array) {
            case byte[] a -> Arrays.toString(a);
            case boolean[] a -> Arrays.toString(a);
            case char[] a -> Arrays.toString(a);
            case short[] a -> Arrays.toString(a);
            case int[] a -> Arrays.toString(a);
            case float[] a -> Arrays.toString(a);
            case long[] a -> Arrays.toString(a);
            case double[] a -> Arrays.toString(a);
            default -> throw new AssertionError(array.getClass());
        };
    }

    // ================================================================== random values

    private static final long[] BYTE_EDGES = {Byte.MIN_VALUE, Byte.MAX_VALUE, 0, -1, 1};
    private static final long[] SHORT_EDGES = {Short.MIN_VALUE, Short.MAX_VALUE, 0, -1, 1};
    private static final long[] CHAR_EDGES = {0, 1, 0x7FFF, 0x8000, 0xFFFF};
    private static final long[] INT_EDGES = {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, 1};
    private static final long[] LONG_EDGES = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1, Integer.MIN_VALUE};
    private static final double[] FLOATING_EDGES = {Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1, -1};
    private static final float[] FLOAT_EDGES = {Float.NaN, -0.0f, 0.0f, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1, -1};

    /**
     * Random elements: a quarter edge values, a quarter small numbers (zeros for the logical
     * operations, ties for MIN and MAX), the rest anything at all, NaNs with payloads
     * included. For the pair operations, values and indices come from small ranges, so that
     * ties are common.
     */
    private static Object randomArray(Datatype t, int n, Random rnd, boolean pairs) {
        Object a = newArray(t, n);
        for (int i = 0; i < n; i++) {
            int kind = pairs ? (i % 2 == 1 ? 1 : rnd.nextInt(3) == 0 ? 0 : 1) : rnd.nextInt(4);
            switch (t) {
                case BOOLEAN -> ((boolean[]) a)[i] = rnd.nextBoolean();
                case FLOAT -> ((float[]) a)[i] = switch (kind) {
                    case 0 -> FLOAT_EDGES[rnd.nextInt(FLOAT_EDGES.length)];
                    case 1 -> rnd.nextInt(7) - 3;
                    case 2 -> Float.intBitsToFloat(rnd.nextInt());
                    default -> (float) (rnd.nextGaussian() * 1e3);
                };
                case DOUBLE -> ((double[]) a)[i] = switch (kind) {
                    case 0 -> FLOATING_EDGES[rnd.nextInt(FLOATING_EDGES.length)];
                    case 1 -> rnd.nextInt(7) - 3;
                    case 2 -> Double.longBitsToDouble(rnd.nextLong());
                    default -> rnd.nextGaussian() * 1e3;
                };
                default -> {
                    long[] edges = switch (t) {
                        case BYTE -> BYTE_EDGES;
                        case SHORT -> SHORT_EDGES;
                        case CHAR -> CHAR_EDGES;
                        case INT -> INT_EDGES;
                        default -> LONG_EDGES;
                    };
                    lset(a, i, switch (kind) {
                        case 0 -> edges[rnd.nextInt(edges.length)];
                        case 1 -> rnd.nextInt(7) - 3;
                        default -> rnd.nextLong();
                    });
                }
            }
        }
        return a;
    }

    /** Mostly short, sometimes past several chunks of the copying path; even for pairs. */
    private static int randomCount(Random rnd, boolean pairs) {
        int n = switch (rnd.nextInt(8)) {
            case 0 -> 0;
            case 1 -> 4000 + rnd.nextInt(6000);
            case 2 -> 500 + rnd.nextInt(600);
            default -> 1 + rnd.nextInt(40);
        };
        return pairs ? n & ~1 : n;
    }

    // ================================================================== the reference

    /** {@code x ⊕ y} elementwise, computed the plain way, into a new array. */
    private static Object reference(Op op, Datatype t, Object x, Object y) {
        Object r = copyOf(y);
        int n = Array.getLength(x);
        if (pairwise(op)) {
            for (int i = 0; i < n; i += 2) {
                int c = t == Datatype.FLOAT || t == Datatype.DOUBLE
                        ? order(dget(x, i), dget(y, i)) : Long.compare(lget(x, i), lget(y, i));
                int ci = t == Datatype.FLOAT || t == Datatype.DOUBLE
                        ? order(dget(x, i + 1), dget(y, i + 1)) : Long.compare(lget(x, i + 1), lget(y, i + 1));
                boolean takeX = (op == Op.MINLOC ? c < 0 : c > 0) || c == 0 && ci < 0;
                if (takeX) {
                    Array.set(r, i, Array.get(x, i));
                    Array.set(r, i + 1, Array.get(x, i + 1));
                }
            }
            return r;
        }
        for (int i = 0; i < n; i++) {
            switch (t) {
                case BOOLEAN -> {
                    boolean a = ((boolean[]) x)[i];
                    boolean b = ((boolean[]) y)[i];
                    ((boolean[]) r)[i] = switch (op.name()) {
                        case "LAND", "BAND" -> a && b;
                        case "LOR", "BOR" -> a || b;
                        case "LXOR", "BXOR" -> a != b;
                        default -> throw new AssertionError(op);
                    };
                }
                case FLOAT -> {
                    float a = ((float[]) x)[i];
                    float b = ((float[]) y)[i];
                    ((float[]) r)[i] = switch (op.name()) {
                        case "SUM" -> a + b;
                        case "PROD" -> a * b;
                        case "MIN" -> (float) min(a, b);
                        case "MAX" -> (float) max(a, b);
                        default -> throw new AssertionError(op);
                    };
                }
                case DOUBLE -> {
                    double a = ((double[]) x)[i];
                    double b = ((double[]) y)[i];
                    ((double[]) r)[i] = switch (op.name()) {
                        case "SUM" -> a + b;
                        case "PROD" -> a * b;
                        case "MIN" -> min(a, b);
                        case "MAX" -> max(a, b);
                        default -> throw new AssertionError(op);
                    };
                }
                default -> lset(r, i, integral(op, lget(x, i), lget(y, i)));
            }
        }
        return r;
    }

    /** On integers widened to long; narrowing the result keeps the low bits, which is Java's wrap-around. */
    private static long integral(Op op, long a, long b) {
        return switch (op.name()) {
            case "SUM" -> a + b;
            case "PROD" -> a * b;
            case "MIN" -> a <= b ? a : b;
            case "MAX" -> a >= b ? a : b;
            case "LAND" -> a != 0 && b != 0 ? 1 : 0;
            case "LOR" -> a != 0 || b != 0 ? 1 : 0;
            case "LXOR" -> (a != 0) != (b != 0) ? 1 : 0;
            case "BAND" -> a & b;
            case "BOR" -> a | b;
            case "BXOR" -> a ^ b;
            default -> throw new AssertionError(op);
        };
    }

    private static boolean negativeZero(double v) {
        return v == 0 && 1 / v < 0;
    }

    /** IEEE minimum with a NaN winning and -0.0 below 0.0. */
    private static double min(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return Double.NaN;
        }
        if (a == 0 && b == 0) {
            return negativeZero(a) || negativeZero(b) ? -0.0 : 0.0;
        }
        return a < b ? a : b;
    }

    private static double max(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return Double.NaN;
        }
        if (a == 0 && b == 0) {
            return negativeZero(a) && negativeZero(b) ? -0.0 : 0.0;
        }
        return a > b ? a : b;
    }

    /** The total order of MINLOC and MAXLOC: -0.0 below 0.0, and every NaN equal and above all. */
    private static int order(double a, double b) {
        boolean na = Double.isNaN(a);
        boolean nb = Double.isNaN(b);
        if (na || nb) {
            return na && nb ? 0 : na ? 1 : -1;
        }
        if (a != b) {
            return a < b ? -1 : 1;
        }
        return negativeZero(a) == negativeZero(b) ? 0 : negativeZero(a) ? -1 : 1;
    }

    // ================================================================== memory

    /** Where a test puts a buffer. */
    private enum Storage {
        /** A whole heap array. */
        WHOLE,
        /** A slice of a larger heap array, offset 0 to 3, with guards on both sides. */
        SLICE,
        /** Native memory, 8-byte aligned. */
        NATIVE,
        /** Native memory at an odd address. */
        NATIVE_MISALIGNED,
        /** A direct {@code ByteBuffer} at an odd position. */
        DIRECT_BUFFER,
        /** A heap {@code ByteBuffer} at an odd position: a heap segment with no array of the element type. */
        HEAP_BUFFER;

        static Storage random(Datatype t, Random rnd) {
            Storage[] all = values();
            return t == Datatype.BOOLEAN ? all[rnd.nextInt(2)] : all[rnd.nextInt(all.length)];
        }
    }

    /** A buffer holding given elements, and a check that nothing around it was touched. */
    private record Placed(Buf buf, Runnable checkSurroundings) {
    }

    private static Placed place(Object data, Datatype t, Storage storage, Random rnd) {
        int n = Array.getLength(data);
        long bytes = (long) n * t.extent();
        return switch (storage) {
            case WHOLE -> new Placed(wrap(copyOf(data)), () -> { });
            case SLICE -> {
                int pre = rnd.nextInt(4);
                int post = rnd.nextInt(3);
                Object whole = randomArray(t, pre + n + post, rnd, false);
                System.arraycopy(data, 0, whole, pre, n);
                Object before = copyOf(whole);
                yield new Placed(wrap(whole, pre, n), () -> {
                    for (int i = 0; i < pre + n + post; i++) {
                        if (i >= pre && i < pre + n) {
                            continue;
                        }
                        assertEquals(Array.get(before, i), Array.get(whole, i), "guard element " + i);
                    }
                });
            }
            case NATIVE, NATIVE_MISALIGNED -> {
                int lead = storage == Storage.NATIVE ? 8 : 1 + 2 * rnd.nextInt(3);
                MemorySegment whole = Arena.ofAuto().allocate(bytes + 16, 8);
                yield guarded(whole, lead, bytes, data, t, rnd);
            }
            case DIRECT_BUFFER, HEAP_BUFFER -> {
                int lead = 1 + 2 * rnd.nextInt(3);
                ByteBuffer bb = storage == Storage.DIRECT_BUFFER
                        ? ByteBuffer.allocateDirect((int) bytes + 16) : ByteBuffer.allocate((int) bytes + 16);
                MemorySegment whole = MemorySegment.ofBuffer(bb);
                Placed p = guarded(whole, lead, bytes, data, t, rnd);
                Buf view = t == Datatype.BYTE ? Buf.of(bb.slice(lead, (int) bytes))
                        : Buf.of(MemorySegment.ofBuffer(bb.slice(lead, (int) bytes)), t);
                assertNull(view.array(), "a ByteBuffer view has no array");
                yield new Placed(view, p.checkSurroundings());
            }
        };
    }

    /** Fills {@code whole} with random bytes and {@code data} at {@code lead}, and views the data. */
    private static Placed guarded(MemorySegment whole, int lead, long bytes, Object data, Datatype t, Random rnd) {
        byte[] noise = new byte[(int) whole.byteSize()];
        rnd.nextBytes(noise);
        MemorySegment.copy(MemorySegment.ofArray(noise), 0, whole, 0, noise.length);
        MemorySegment view = whole.asSlice(lead, bytes);
        Buf.copy(wrap(data), 0, Buf.of(view), 0, bytes);
        byte[] before = whole.toArray(ValueLayout.JAVA_BYTE);
        return new Placed(Buf.of(view, t), () -> {
            byte[] after = whole.toArray(ValueLayout.JAVA_BYTE);
            for (int i = 0; i < before.length; i++) {
                if (i < lead || i >= lead + bytes) {
                    assertEquals(before[i], after[i], "guard byte " + i);
                }
            }
        });
    }

    private static Object contents(Buf buf) {
        return buf.copyToHeap().array();
    }

    // ================================================================== built-ins on buffers

    @Test
    void builtinsMatchTheReferenceOnEveryKindOfMemory(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        int reductions = 0;
        for (Op op : BUILTINS) {
            for (Datatype t : Datatype.values()) {
                if (!defined(op, t)) {
                    continue;
                }
                for (int round = 0; round < ROUNDS; round++) {
                    int n = randomCount(rnd, pairwise(op));
                    Object x = randomArray(t, n, rnd, pairwise(op));
                    Object y = randomArray(t, n, rnd, pairwise(op));
                    Storage sx = Storage.random(t, rnd);
                    Storage sy = round % 4 == 0 ? sx : Storage.random(t, rnd);
                    String ctx = "seed " + seed + ", " + op + " on " + t + " x " + n + ", in " + sx + " " + show(x)
                            + ", inout " + sy + " " + show(y);
                    Placed in = place(x, t, sx, rnd);
                    Placed inout = place(y, t, sy, rnd);
                    op.reduce(in.buf(), inout.buf());
                    assertElements(reference(op, t, x, y), contents(inout.buf()), ctx);
                    assertElements(x, contents(in.buf()), ctx + ": in was modified");
                    in.checkSurroundings().run();
                    inout.checkSurroundings().run();
                    reductions++;
                }
            }
        }
        assertEquals(72 * ROUNDS, reductions, "every defined pair was tested");
    }

    @Test
    void aViewReducedWithItselfGivesXopX(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (Op op : BUILTINS) {
            for (Datatype t : Datatype.values()) {
                if (!defined(op, t)) {
                    continue;
                }
                int n = randomCount(rnd, pairwise(op));
                Object x = randomArray(t, n, rnd, pairwise(op));
                Placed p = place(x, t, Storage.random(t, rnd), rnd);
                op.reduce(p.buf(), p.buf());
                assertElements(reference(op, t, x, x), contents(p.buf()), "seed " + seed + ", " + op + " on " + t);
            }
        }
    }

    @Test
    void edgeValues() {
        double[] y = {1, 2, 0.0, -0.0};
        Op.MIN.reduce(Buf.of(new double[] {Double.NaN, 1, -0.0, 0.0}), Buf.of(y));
        assertArrayEquals(new double[] {Double.NaN, 1, -0.0, -0.0}, y);
        y = new double[] {1, Double.NaN, -0.0, -0.0};
        Op.MAX.reduce(Buf.of(new double[] {2, 1, 0.0, -0.0}), Buf.of(y));
        assertArrayEquals(new double[] {2, Double.NaN, 0.0, -0.0}, y);

        int[] ints = {Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 30};
        Op.SUM.reduce(Buf.of(new int[] {1, -1, 1 << 30}), Buf.of(ints));
        assertArrayEquals(new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE}, ints);
        Op.PROD.reduce(Buf.of(new int[] {-1, 2, 3}), Buf.of(ints));
        assertArrayEquals(new int[] {Integer.MIN_VALUE, -2, Integer.MIN_VALUE}, ints);

        char[] chars = {0xFFFF, 0x8000, 3};
        Op.MAX.reduce(Buf.of(new char[] {1, 0x7FFF, 0xFFFF}), Buf.of(chars));
        assertArrayEquals(new char[] {0xFFFF, 0x8000, 0xFFFF}, chars, "chars compare unsigned");
        chars = new char[] {0xFFFF};
        Op.SUM.reduce(Buf.of(new char[] {2}), Buf.of(chars));
        assertArrayEquals(new char[] {1}, chars);

        byte[] bytes = {5, 0, -128, 0};
        Op.LAND.reduce(Buf.of(new byte[] {-3, 7, 1, 0}), Buf.of(bytes));
        assertArrayEquals(new byte[] {1, 0, 1, 0}, bytes);
        long[] longs = {0, 0, 8, Long.MIN_VALUE};
        Op.LXOR.reduce(Buf.of(new long[] {0, Long.MIN_VALUE, 8, 3}), Buf.of(longs));
        assertArrayEquals(new long[] {0, 1, 0, 0}, longs);
        boolean[] bools = {true, true, false, false};
        Op.BXOR.reduce(Buf.of(new boolean[] {true, false, true, false}), Buf.of(bools));
        assertArrayEquals(new boolean[] {false, true, true, false}, bools);
    }

    // ================================================================== MINLOC and MAXLOC

    @Test
    void minlocAndMaxlocKeepTheSmallerIndexOnTies() {
        // pairs: (value, index); ties on value in both directions, and distinct values
        int[] in = {5, 7, 5, 2, 1, 9, 9, 9};
        int[] inout = {5, 3, 5, 4, 2, 0, 9, 1};
        int[] min = inout.clone();
        Op.MINLOC.reduce(Buf.of(in), Buf.of(min));
        assertArrayEquals(new int[] {5, 3, 5, 2, 1, 9, 9, 1}, min);
        int[] max = inout.clone();
        Op.MAXLOC.reduce(Buf.of(in), Buf.of(max));
        assertArrayEquals(new int[] {5, 3, 5, 2, 2, 0, 9, 1}, max);

        long[] longs = {Long.MIN_VALUE, 4, Long.MIN_VALUE, 2};
        Op.MINLOC.reduce(Buf.of(longs, 0, 2), Buf.of(longs, 2, 2));
        assertArrayEquals(new long[] {Long.MIN_VALUE, 4, Long.MIN_VALUE, 2}, longs);

        // NaN is above everything for MINLOC and MAXLOC alike; -0.0 is below 0.0
        double[] d = {1, 1, 0.0, 1, Double.NaN, 7};
        Op.MINLOC.reduce(Buf.of(new double[] {Double.NaN, 0, -0.0, 4, Double.NaN, 3}), Buf.of(d));
        assertArrayEquals(new double[] {1, 1, -0.0, 4, Double.NaN, 3}, d);
        d = new double[] {1, 1, 0.0, 1, 5, 2};
        Op.MAXLOC.reduce(Buf.of(new double[] {Double.NaN, 0, -0.0, 4, 5, 2}), Buf.of(d));
        assertArrayEquals(new double[] {Double.NaN, 0, 0.0, 1, 5, 2}, d);

        float[] f = {2, 8, 2, 1};
        Op.MAXLOC.reduce(Buf.of(new float[] {2, 3, 2, 6}), Buf.of(f));
        assertArrayEquals(new float[] {2, 3, 2, 1}, f);
    }

    @Test
    void minlocIsTheSameInAnyOrderOfCombination(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (int round = 0; round < 50; round++) {
            int ranks = 2 + rnd.nextInt(6);
            List<double[]> values = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                double[] pair = (double[]) randomArray(Datatype.DOUBLE, 2, rnd, true);
                values.add(pair);
            }
            for (Op op : new Op[] {Op.MINLOC, Op.MAXLOC}) {
                double[] forward = values.get(ranks - 1).clone();
                for (int r = ranks - 2; r >= 0; r--) {
                    op.reduce(Buf.of(values.get(r)), Buf.of(forward));
                }
                double[] backward = values.get(0).clone();
                for (int r = 1; r < ranks; r++) {
                    op.reduce(Buf.of(values.get(r)), Buf.of(backward));
                }
                assertArrayEquals(forward, backward, "seed " + seed + ", round " + round + ", " + op);
            }
        }
    }

    // ================================================================== errors on buffers

    @Test
    void everyUndefinedPairIsATypeError() {
        int undefined = 0;
        for (Op op : BUILTINS) {
            for (Datatype t : Datatype.values()) {
                assertEquals(defined(op, t), op.isDefinedOn(t), op + " on " + t);
                if (!defined(op, t)) {
                    Buf a = Buf.allocate(t, 4);
                    Buf b = Buf.allocate(t, 4);
                    assertMpi(ErrorClass.TYPE, "Op." + op + " is not defined on " + t, () -> op.reduce(a, b));
                    undefined++;
                }
            }
        }
        assertEquals(12 * 9 - 72, undefined);
        assertMpi(ErrorClass.TYPE, "Op.BAND is not defined on DOUBLE",
                () -> Op.BAND.reduce(Buf.of(new double[1]), Buf.of(new double[1])));
    }

    @Test
    void mismatchedBuffersAreRejectedBeforeAnythingIsWritten() {
        int[] untouched = {1, 2, 3};
        assertMpi(ErrorClass.TYPE, "Op.SUM: in is LONG but inout is INT",
                () -> Op.SUM.reduce(Buf.of(new long[3]), Buf.of(untouched)));
        assertMpi(ErrorClass.COUNT, "Op.SUM: in has 2 elements but inout has 3",
                () -> Op.SUM.reduce(Buf.of(new int[2]), Buf.of(untouched)));
        assertArrayEquals(new int[] {1, 2, 3}, untouched);
        for (Op op : new Op[] {Op.MINLOC, Op.MAXLOC}) {
            for (Datatype t : new Datatype[] {Datatype.INT, Datatype.LONG, Datatype.FLOAT, Datatype.DOUBLE}) {
                assertMpi(ErrorClass.COUNT, "Op." + op + " needs (value, index) pairs: odd count 7",
                        () -> op.reduce(Buf.allocate(t, 7), Buf.allocate(t, 7)));
            }
        }
        Buf readOnly = Buf.of(ByteBuffer.allocate(8).asReadOnlyBuffer());
        assertMpi(ErrorClass.BUFFER, "Op.SUM: inout is read-only", () -> Op.SUM.reduce(Buf.of(new byte[8]), readOnly));
        byte[] sum = new byte[8];
        Op.SUM.reduce(readOnly, Buf.of(sum)); // reading from read-only memory is fine

        assertThrows(NullPointerException.class, () -> Op.SUM.reduce(null, Buf.of(sum)));
        assertThrows(NullPointerException.class, () -> Op.SUM.reduce(Buf.of(sum), null));
        assertThrows(NullPointerException.class, () -> Op.SUM.isDefinedOn(null));
    }

    @Test
    void partiallyOverlappingViewsAreRejected() {
        String message = "Op.SUM: in and inout overlap but are not the same memory";
        double[] a = {1, 2, 3, 4, 5};
        assertMpi(ErrorClass.BUFFER, message, () -> Op.SUM.reduce(Buf.of(a, 0, 4), Buf.of(a, 1, 4)));
        assertMpi(ErrorClass.BUFFER, message, () -> Op.SUM.reduce(Buf.of(a, 1, 4), Buf.of(a, 0, 4)));
        boolean[] bools = new boolean[5];
        assertMpi(ErrorClass.BUFFER, "Op.LOR: in and inout overlap but are not the same memory",
                () -> Op.LOR.reduce(Buf.of(bools, 0, 3), Buf.of(bools, 2, 3)));
        MemorySegment native1 = Arena.ofAuto().allocate(64);
        assertMpi(ErrorClass.BUFFER, message, () -> Op.SUM.reduce(Buf.of(native1.asSlice(0, 32), Datatype.INT),
                Buf.of(native1.asSlice(4, 32), Datatype.INT)));
        assertArrayEquals(new double[] {1, 2, 3, 4, 5}, a);

        // adjacent views share no memory, and the same memory twice is x ⊕ x
        Op.SUM.reduce(Buf.of(a, 0, 2), Buf.of(a, 2, 2));
        assertArrayEquals(new double[] {1, 2, 4, 6, 5}, a);
        Op.LOR.reduce(Buf.of(bools, 0, 2), Buf.of(bools, 2, 2));
        Op.SUM.reduce(Buf.of(native1, Datatype.INT), Buf.of(native1, Datatype.INT));
        Op.SUM.reduce(Buf.of(a, 1, 3), Buf.of(a, 1, 3));
        assertArrayEquals(new double[] {1, 4, 8, 12, 5}, a);
    }

    // ================================================================== user operations on buffers

    /** {@code inout = 2 * in + inout}, for doubles in any memory: tells the operands apart. */
    private static final Op TWICE_IN_PLUS_INOUT = Op.of("2a+b", (in, inout) -> {
        MemorySegment x = in.segment();
        MemorySegment y = inout.segment();
        ValueLayout.OfDouble d = ValueLayout.JAVA_DOUBLE_UNALIGNED;
        for (long i = 0; i < in.count(); i++) {
            y.setAtIndex(d, i, 2 * x.getAtIndex(d, i) + y.getAtIndex(d, i));
        }
    }, false);

    @Test
    void aBufferOperatorGetsTheLowerRanksFirst(TestInfo info) {
        assertEquals("2a+b", TWICE_IN_PLUS_INOUT.name());
        assertEquals("2a+b", TWICE_IN_PLUS_INOUT.toString());
        assertFalse(TWICE_IN_PLUS_INOUT.isCommutative());
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (int round = 0; round < 40; round++) {
            int n = randomCount(rnd, false);
            double[] x = new double[n];
            double[] y = new double[n];
            double[] expected = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = rnd.nextInt(1000);
                y[i] = rnd.nextInt(1000);
                expected[i] = 2 * x[i] + y[i];
            }
            Placed in = place(x, Datatype.DOUBLE, Storage.random(Datatype.DOUBLE, rnd), rnd);
            Placed inout = place(y, Datatype.DOUBLE, Storage.random(Datatype.DOUBLE, rnd), rnd);
            TWICE_IN_PLUS_INOUT.reduce(in.buf(), inout.buf());
            assertArrayEquals(expected, (double[]) contents(inout.buf()), "seed " + seed + ", round " + round);
            inout.checkSurroundings().run();
        }
        // checked like a built-in before the function runs
        assertMpi(ErrorClass.COUNT, "Op \"2a+b\": in has 1 elements but inout has 2",
                () -> TWICE_IN_PLUS_INOUT.reduce(Buf.of(new double[1]), Buf.of(new double[2])));
        assertMpi(ErrorClass.TYPE, "Op \"2a+b\": in is DOUBLE but inout is FLOAT",
                () -> TWICE_IN_PLUS_INOUT.reduce(Buf.of(new double[1]), Buf.of(new float[1])));
    }

    @Test
    void aBufferOperatorIsDefinedOnEveryDatatype() {
        int[] calls = new int[1];
        Op counting = Op.of("count", (in, inout) -> calls[0]++, true);
        for (Datatype t : Datatype.values()) {
            assertTrue(counting.isDefinedOn(t), t.toString());
            counting.reduce(Buf.allocate(t, 3), Buf.allocate(t, 3));
        }
        assertEquals(Datatype.values().length, calls[0]);
        assertTrue(counting.isCommutative());
    }

    /**
     * Composition of affine maps {@code v -> a*v + b}, as (a, b) pairs of longs: associative
     * (in wrap-around arithmetic too) but not commutative, so only rank order gives the
     * reference {@code f0 ∘ f1 ∘ ... ∘ f(n-1)}.
     */
    private static final Op COMPOSE = Op.of("compose", (in, inout) -> {
        MemorySegment f = in.segment();
        MemorySegment g = inout.segment();
        ValueLayout.OfLong l = ValueLayout.JAVA_LONG_UNALIGNED;
        for (long i = 0; i < in.count(); i += 2) {
            long a1 = f.getAtIndex(l, i);
            long b1 = f.getAtIndex(l, i + 1);
            long a2 = g.getAtIndex(l, i);
            long b2 = g.getAtIndex(l, i + 1);
            g.setAtIndex(l, i, a1 * a2);
            g.setAtIndex(l, i + 1, a1 * b2 + b1);
        }
    }, false);

    @Test
    void aNonCommutativeOperationReducedInRankOrderGivesTheRankOrderResult(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (int round = 0; round < 30; round++) {
            int ranks = 1 + rnd.nextInt(9);
            long[][] x = new long[ranks][];
            for (int r = 0; r < ranks; r++) {
                x[r] = new long[] {rnd.nextLong(), rnd.nextLong(), rnd.nextInt(5) - 2, rnd.nextInt(5) - 2};
            }
            long[] expected = x[0].clone(); // f0 ∘ f1 ∘ ..., composed left to right
            for (int r = 1; r < ranks; r++) {
                for (int i = 0; i < 4; i += 2) {
                    long a = expected[i] * x[r][i];
                    long b = expected[i] * x[r][i + 1] + expected[i + 1];
                    expected[i] = a;
                    expected[i + 1] = b;
                }
            }
            String ctx = "seed " + seed + ", round " + round + ", " + ranks + " ranks";

            // a linear chain as in scan: the lower partial result is `in`, the received value `inout`
            long[] partial = x[0].clone();
            for (int r = 1; r < ranks; r++) {
                long[] received = x[r].clone();
                COMPOSE.reduce(Buf.of(partial), Buf.of(received));
                partial = received;
            }
            assertArrayEquals(expected, partial, ctx + ", chain");

            // from the top down, as a reduce to rank 0 along a chain
            long[] acc = x[ranks - 1].clone();
            for (int r = ranks - 2; r >= 0; r--) {
                COMPOSE.reduce(Buf.of(x[r]), Buf.of(acc));
            }
            assertArrayEquals(expected, acc, ctx + ", top down");

            // a binomial tree: each step combines two adjacent blocks, lower one as `in`
            assertArrayEquals(expected, tree(x, 0, ranks), ctx + ", tree");
        }
    }

    private static long[] tree(long[][] x, int from, int to) {
        if (to - from == 1) {
            return x[from].clone();
        }
        int mid = (from + to) >>> 1;
        long[] lower = tree(x, from, mid);
        long[] upper = tree(x, mid, to);
        COMPOSE.reduce(Buf.of(lower), Buf.of(upper));
        return upper;
    }

    private static final DoubleBinaryOperator TWICE_A_PLUS_B = (a, b) -> 2 * a + b;
    private static final LongBinaryOperator TWICE_A_PLUS_B_LONG = (a, b) -> 2 * a + b;

    @Test
    void ofDoublesAndOfLongsApplyElementwiseInOrder(TestInfo info) {
        Op doubles = Op.ofDoubles("2a+b (doubles)", TWICE_A_PLUS_B, false);
        Op longs = Op.ofLongs("2a+b (longs)", TWICE_A_PLUS_B_LONG, false);
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (Datatype t : Datatype.values()) {
            boolean floating = t == Datatype.FLOAT || t == Datatype.DOUBLE;
            boolean integral = t == Datatype.BYTE || t == Datatype.SHORT || t == Datatype.CHAR || t == Datatype.INT
                    || t == Datatype.LONG;
            assertEquals(floating, doubles.isDefinedOn(t), t.toString());
            assertEquals(integral, longs.isDefinedOn(t), t.toString());
            if (!floating) {
                assertMpi(ErrorClass.TYPE, "Op \"2a+b (doubles)\" is not defined on " + t,
                        () -> doubles.reduce(Buf.allocate(t, 2), Buf.allocate(t, 2)));
            }
            if (!integral) {
                assertMpi(ErrorClass.TYPE, "Op \"2a+b (longs)\" is not defined on " + t,
                        () -> longs.reduce(Buf.allocate(t, 2), Buf.allocate(t, 2)));
            }
            if (!floating && !integral) {
                continue;
            }
            Op op = floating ? doubles : longs;
            for (int round = 0; round < ROUNDS; round++) {
                int n = randomCount(rnd, false);
                Object x = randomArray(t, n, rnd, false);
                Object y = randomArray(t, n, rnd, false);
                Object expected = newArray(t, n);
                for (int i = 0; i < n; i++) {
                    if (floating) {
                        dset(expected, i, 2 * dget(x, i) + dget(y, i));
                    } else {
                        lset(expected, i, 2 * lget(x, i) + lget(y, i));
                    }
                }
                Placed in = place(x, t, Storage.random(t, rnd), rnd);
                Placed inout = place(y, t, Storage.random(t, rnd), rnd);
                op.reduce(in.buf(), inout.buf());
                String ctx = "seed " + seed + ", " + t + ", round " + round;
                assertElements(expected, contents(inout.buf()), ctx);
                inout.checkSurroundings().run();

                // not linear, so a sign-extended char would show: a user MAX equals the built-in
                Placed in2 = place(x, t, Storage.random(t, rnd), rnd);
                Placed inout2 = place(y, t, Storage.random(t, rnd), rnd);
                (floating ? Op.ofDoubles("max", Math::max, true) : Op.ofLongs("max", Math::max, true))
                        .reduce(in2.buf(), inout2.buf());
                assertElements(reference(Op.MAX, t, x, y), contents(inout2.buf()), ctx + ", max");
            }
        }
    }

    @Test
    void aUserFunctionThatReducesAgainOnTheSameThreadDoesNotDisturbTheOuterReduction() {
        int n = 3000; // several chunks of the copying path, which both reductions take
        int[] inner = new int[n + 1];
        Op nested = Op.ofLongs("nested", (a, b) -> {
            Op.SUM.reduce(Buf.of(new int[n], 0, n), Buf.of(inner, 1, n));
            return a + b;
        }, true);
        MemorySegment x = Arena.ofAuto().allocate(4L * n);
        MemorySegment y = Arena.ofAuto().allocate(4L * n);
        int[] expected = new int[n];
        for (int i = 0; i < n; i++) {
            x.setAtIndex(ValueLayout.JAVA_INT, i, i);
            y.setAtIndex(ValueLayout.JAVA_INT, i, 7 * i);
            expected[i] = 8 * i;
        }
        nested.reduce(Buf.of(x, Datatype.INT), Buf.of(y, Datatype.INT));
        assertArrayEquals(expected, y.toArray(ValueLayout.JAVA_INT));
    }

    @Test
    void anObjectOperationIsNotDefinedOnBuffers() {
        Op concat = Op.ofObjects("concat", (String a, String b) -> a + b, false);
        for (Datatype t : Datatype.values()) {
            assertFalse(concat.isDefinedOn(t));
        }
        assertMpi(ErrorClass.TYPE, "Op \"concat\" is not defined on DOUBLE (it is an operation on objects)",
                () -> concat.reduce(Buf.of(new double[1]), Buf.of(new double[1])));
    }

    @Test
    void factoriesCheckTheirArguments() {
        assertMpi(ErrorClass.ARG, "Op.of: name is empty", () -> Op.of("", (in, inout) -> { }, true));
        assertMpi(ErrorClass.ARG, "Op.ofObjects: name is empty", () -> Op.ofObjects("", (a, b) -> a, true));
        assertMpi(ErrorClass.ARG, "Op.ofDoubles: name is empty", () -> Op.ofDoubles("", Double::sum, true));
        assertMpi(ErrorClass.ARG, "Op.ofLongs: name is empty", () -> Op.ofLongs("", Long::sum, true));
        assertThrows(NullPointerException.class, () -> Op.of(null, (in, inout) -> { }, true));
        assertThrows(NullPointerException.class, () -> Op.of("f", null, true));
        assertThrows(NullPointerException.class, () -> Op.ofObjects("f", null, true));
        assertThrows(NullPointerException.class, () -> Op.ofDoubles("f", null, true));
        assertThrows(NullPointerException.class, () -> Op.ofLongs(null, Long::sum, true));
    }

    @Test
    void builtinsAreNamedAndCommutative() {
        String[] names = {"SUM", "PROD", "MIN", "MAX", "LAND", "LOR", "LXOR", "BAND", "BOR", "BXOR", "MINLOC", "MAXLOC"};
        for (int i = 0; i < BUILTINS.length; i++) {
            assertEquals(names[i], BUILTINS[i].name());
            assertEquals(names[i], BUILTINS[i].toString());
            assertTrue(BUILTINS[i].isCommutative(), names[i]);
        }
    }

    // ================================================================== objects

    @Test
    void builtinsOnBoxedScalarsMatchTheReference(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (Op op : BUILTINS) {
            for (Datatype t : Datatype.values()) {
                if (t == Datatype.OBJECT) {
                    continue;
                }
                for (int round = 0; round < 30; round++) {
                    Object x = randomArray(t, 1, rnd, false);
                    Object y = randomArray(t, 1, rnd, false);
                    Object a = Array.get(x, 0);
                    Object b = Array.get(y, 0);
                    String ctx = "seed " + seed + ", " + op + "(" + a + ", " + b + ")";
                    if (!defined(op, t) || pairwise(op)) {
                        assertMpi(ErrorClass.TYPE, "Op." + op + " is not defined on " + a.getClass().getTypeName()
                                + (pairwise(op) ? " (it takes Loc pairs, or arrays of (value, index) pairs)" : ""),
                                () -> op.reduce(a, b));
                        break;
                    }
                    Object r = op.reduce(a, b);
                    assertSame(a.getClass(), r.getClass(), ctx);
                    Object back = newArray(t, 1);
                    Array.set(back, 0, r);
                    assertElements(reference(op, t, x, y), back, ctx);
                }
            }
        }
    }

    @Test
    void builtinsOnPrimitiveArraysReturnANewArray(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (Op op : BUILTINS) {
            for (Datatype t : Datatype.values()) {
                if (t == Datatype.OBJECT) {
                    continue;
                }
                int n = randomCount(rnd, pairwise(op));
                Object x = randomArray(t, n, rnd, pairwise(op));
                Object y = randomArray(t, n, rnd, pairwise(op));
                Object x0 = copyOf(x);
                Object y0 = copyOf(y);
                String ctx = "seed " + seed + ", " + op + " on " + x.getClass().getTypeName() + " x " + n;
                if (!defined(op, t)) {
                    MpiException e = assertThrows(MpiException.class, () -> op.reduce(x, y), ctx);
                    assertEquals(ErrorClass.TYPE, e.errorClass(), ctx);
                    assertTrue(e.getMessage().startsWith("Op." + op + " is not defined on "
                            + x.getClass().getTypeName()), e.getMessage());
                    continue;
                }
                Object r = op.reduce(x, y);
                assertNotSame(x, r, ctx);
                assertNotSame(y, r, ctx);
                assertElements(reference(op, t, x, y), r, ctx);
                assertElements(x0, x, ctx + ": a was modified");
                assertElements(y0, y, ctx + ": b was modified");
            }
        }
        assertMpi(ErrorClass.COUNT, "Op.SUM: arrays of different lengths: 3 and 4",
                () -> Op.SUM.reduce(new int[3], new int[4]));
        assertMpi(ErrorClass.TYPE, "Op.SUM: operands of different types: int[] and long[]",
                () -> Op.SUM.reduce(new int[3], new long[3]));
        assertMpi(ErrorClass.COUNT, "Op.MAXLOC needs (value, index) pairs: odd count 3",
                () -> Op.MAXLOC.reduce(new double[3], new double[3]));
    }

    @Test
    void objectErrors() {
        assertMpi(ErrorClass.TYPE, "Op.SUM: operands of different types: java.lang.Integer and java.lang.Long",
                () -> Op.SUM.reduce(1, 2L));
        assertMpi(ErrorClass.TYPE, "Op.MAX: operands of different types: java.lang.Double and java.lang.Float",
                () -> Op.MAX.reduce(1.0, 2f));
        assertMpi(ErrorClass.TYPE, "Op.SUM: operands of different types: java.math.BigInteger and java.lang.Long",
                () -> Op.SUM.reduce(BigInteger.ONE, 2L));
        assertMpi(ErrorClass.TYPE, "Op.SUM: operands of different types: java.lang.Long and java.math.BigInteger",
                () -> Op.SUM.reduce(2L, BigInteger.ONE));
        assertMpi(ErrorClass.ARG, "Op.SUM: operand a is null", () -> Op.SUM.reduce(null, 1));
        assertMpi(ErrorClass.ARG, "Op.MINLOC: operand b is null", () -> Op.MINLOC.reduce(new Loc<>(1, 0), null));
        assertMpi(ErrorClass.TYPE, "Op.SUM is not defined on java.lang.String", () -> Op.SUM.reduce("a", "b"));
        assertMpi(ErrorClass.TYPE, "Op.LAND is not defined on java.math.BigDecimal",
                () -> Op.LAND.reduce(BigDecimal.ONE, BigDecimal.TEN));
        assertMpi(ErrorClass.TYPE, "Op.BAND is not defined on java.lang.Double", () -> Op.BAND.reduce(1.0, 2.0));
        assertMpi(ErrorClass.TYPE, "Op.SUM is not defined on java.lang.Boolean", () -> Op.SUM.reduce(true, false));
        assertMpi(ErrorClass.TYPE, "Op.MIN is not defined on org.mpi4j.Loc",
                () -> Op.MIN.reduce(new Loc<>(1, 0), new Loc<>(2, 1)));
        assertMpi(ErrorClass.TYPE, "Op.MIN: cannot compare java.lang.String with java.time.LocalDate",
                () -> Op.MIN.reduce("x", LocalDate.EPOCH));
        assertMpi(ErrorClass.TYPE, "Op.MINLOC: operands of different types: org.mpi4j.Loc and java.lang.Integer",
                () -> Op.MINLOC.reduce(new Loc<>(1, 0), 1));
        assertMpi(ErrorClass.TYPE, "Op.MAX is not defined on java.lang.Object",
                () -> Op.MAX.reduce(new Object(), new Object()));
    }

    @Test
    void bigNumbers() {
        BigInteger a = new BigInteger("123456789012345678901234567890");
        BigInteger b = new BigInteger("-98765432109876543210");
        assertEquals(a.add(b), Op.SUM.reduce(a, b));
        assertEquals(a.multiply(b), Op.PROD.reduce(a, b));
        assertEquals(b, Op.MIN.reduce(a, b));
        assertEquals(a, Op.MAX.reduce(a, b));
        assertEquals(a.and(b), Op.BAND.reduce(a, b));
        assertEquals(a.or(b), Op.BOR.reduce(a, b));
        assertEquals(a.xor(b), Op.BXOR.reduce(a, b));
        assertMpi(ErrorClass.TYPE, "Op.LOR is not defined on java.math.BigInteger", () -> Op.LOR.reduce(a, b));

        BigDecimal c = new BigDecimal("0.1");
        BigDecimal d = new BigDecimal("0.20");
        assertEquals(new BigDecimal("0.30"), Op.SUM.reduce(c, d));
        assertEquals(new BigDecimal("0.020"), Op.PROD.reduce(c, d));
        assertEquals(c, Op.MIN.reduce(c, d));
        assertEquals(d, Op.MAX.reduce(c, d));
        BigDecimal total = BigDecimal.ZERO;
        for (int i = 0; i < 10; i++) {
            total = (BigDecimal) Op.SUM.reduce(total, c);
        }
        assertEquals(0, BigDecimal.ONE.compareTo(total), "exact, unlike ten 0.1 doubles");
    }

    @Test
    void locPairsKeepTheSmallerIndexOnTies() {
        Loc<Double> a = new Loc<>(1.5, 3);
        Loc<Double> b = new Loc<>(1.5, 1);
        Loc<Double> c = new Loc<>(-2.0, 7);
        assertSame(b, Op.MINLOC.reduce(a, b));
        assertSame(b, Op.MINLOC.reduce(b, a));
        assertSame(b, Op.MAXLOC.reduce(a, b));
        assertSame(b, Op.MAXLOC.reduce(b, a));
        assertSame(c, Op.MINLOC.reduce(a, c));
        assertSame(c, Op.MINLOC.reduce(c, a));
        assertSame(a, Op.MAXLOC.reduce(a, c));
        assertSame(a, Op.MAXLOC.reduce(c, a));
        assertEquals(new Loc<>("apple", 2), Op.MINLOC.reduce(new Loc<>("pear", 0), new Loc<>("apple", 2)));

        // reduced over "ranks" in any order, the same winner
        List<Loc<Integer>> locs = List.of(new Loc<>(4, 0), new Loc<>(1, 5), new Loc<>(9, 2), new Loc<>(1, 3),
                new Loc<>(9, 1));
        for (int rotation = 0; rotation < locs.size(); rotation++) {
            Object min = locs.get(rotation);
            Object max = locs.get(rotation);
            for (int k = 1; k < locs.size(); k++) {
                Loc<Integer> next = locs.get((rotation + k) % locs.size());
                min = Op.MINLOC.reduce(min, next);
                max = Op.MAXLOC.reduce(next, max);
            }
            assertEquals(new Loc<>(1, 3), min);
            assertEquals(new Loc<>(9, 1), max);
        }

        assertMpi(ErrorClass.TYPE, "Op.MINLOC: cannot compare java.lang.Integer with java.lang.String",
                () -> Op.MINLOC.reduce(new Loc<>(1, 0), new Loc<>("one", 1)));
        assertThrows(NullPointerException.class, () -> new Loc<Integer>(null, 0));
    }

    @Test
    void locTravelsThroughEveryCodec() {
        for (Codec codec : new Codec[] {Codec.fory(), Codec.java()}) {
            ByteOutput out = new ByteOutput(16);
            codec.encode(new Loc<>(2.5, 7), out);
            assertEquals(new Loc<>(2.5, 7), codec.decode(out.array(), 0, out.size()), codec.toString());
        }
    }

    @Test
    void minAndMaxOnComparablesReturnAOnTies() {
        assertEquals("apple", Op.MIN.reduce("pear", "apple"));
        assertEquals("pear", Op.MAX.reduce("pear", "apple"));
        assertEquals(LocalDate.EPOCH, Op.MIN.reduce(LocalDate.of(2000, 1, 1), LocalDate.EPOCH));
        String x = new String("same");
        String y = new String("same");
        assertSame(x, Op.MIN.reduce(x, y));
        assertSame(x, Op.MAX.reduce(x, y));
        assertSame(y, Op.MAX.reduce(y, x));
    }

    @Test
    void userOperationsOnObjects() {
        Op concat = Op.ofObjects("concat", (String a, String b) -> a + b, false);
        Object acc = "0";
        for (int r = 1; r < 5; r++) {
            acc = concat.reduce(acc, Integer.toString(r));
        }
        assertEquals("01234", acc);
        Op orElse = Op.ofObjects("orElse", (Object a, Object b) -> a != null ? a : b, false);
        assertEquals("b", orElse.reduce(null, "b"), "object functions see nulls");
        assertNull(orElse.reduce((Object) null, null));

        Op doubles = Op.ofDoubles("2a+b", TWICE_A_PLUS_B, false);
        assertEquals(7.0, doubles.reduce(2.0, 3.0));
        assertEquals(7.0f, doubles.reduce(2.0f, 3.0f));
        assertArrayEquals(new double[] {7, 1}, (double[]) doubles.reduce(new double[] {2, 0}, new double[] {3, 1}));
        assertArrayEquals(new float[] {7, 1}, (float[]) doubles.reduce(new float[] {2, 0}, new float[] {3, 1}));
        assertMpi(ErrorClass.TYPE, "Op \"2a+b\" is not defined on java.lang.Integer", () -> doubles.reduce(2, 3));
        assertMpi(ErrorClass.TYPE, "Op \"2a+b\" is not defined on int[]",
                () -> doubles.reduce(new int[1], new int[1]));
        assertMpi(ErrorClass.ARG, "Op \"2a+b\": operand a is null", () -> doubles.reduce(null, 3.0));

        Op longs = Op.ofLongs("2a+b", TWICE_A_PLUS_B_LONG, false);
        assertEquals(7, longs.reduce(2, 3));
        assertEquals(7L, longs.reduce(2L, 3L));
        assertEquals((byte) -2, longs.reduce((byte) 127, (byte) 0), "narrowed back to the low bits");
        assertEquals((short) 7, longs.reduce((short) 2, (short) 3));
        assertEquals((char) 1, longs.reduce((char) 0x8000, (char) 1), "chars are unsigned, and wrap");
        assertArrayEquals(new int[] {7, -1}, (int[]) longs.reduce(new int[] {2, 0}, new int[] {3, -1}));
        assertMpi(ErrorClass.TYPE, "Op \"2a+b\" is not defined on java.lang.Double", () -> longs.reduce(2.0, 3.0));
        assertMpi(ErrorClass.TYPE, "Op \"2a+b\": operands of different types: java.lang.Integer and java.lang.Long",
                () -> longs.reduce(2, 3L));

        // a buffer operator on arrays and boxed scalars: through views and one-element arrays
        double[] a = {2, 5};
        double[] b = {3, 1};
        assertArrayEquals(new double[] {7, 11}, (double[]) TWICE_IN_PLUS_INOUT.reduce(a, b));
        assertArrayEquals(new double[] {3, 1}, b, "b is not modified");
        assertEquals(7.0, TWICE_IN_PLUS_INOUT.reduce(2.0, 3.0));
        assertMpi(ErrorClass.TYPE, "Op \"2a+b\" is not defined on java.lang.String"
                + " (it is an operation on buffers and primitive arrays)", () -> TWICE_IN_PLUS_INOUT.reduce("a", "b"));
    }
}
