package org.mpi4j;

import java.lang.foreign.MemorySegment;
import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.LongBinaryOperator;
import org.mpi4j.OpKernels.Builtin;

/**
 * A reduction operation: how the collectives that combine values ({@code reduce},
 * {@code allreduce}, {@code scan} and kin) combine two of them. MPI's {@code MPI_Op}.
 *
 * <p>An operation combines buffers elementwise ({@link #reduce(Buf, Buf)}) or objects
 * ({@link #reduce(Object, Object)}), which include boxed scalars and primitive arrays. The
 * built-in operations do both:
 *
 * <table class="striped">
 *   <caption>Built-in operations and what they are defined on</caption>
 *   <thead><tr><th>operation</th><th>buffers of</th><th>objects</th></tr></thead>
 *   <tbody>
 *   <tr><td>{@link #SUM}, {@link #PROD}, {@link #MIN}, {@link #MAX}</td>
 *       <td>{@code BYTE SHORT CHAR INT LONG FLOAT DOUBLE}</td>
 *       <td>boxed numbers and {@code Character}, {@code BigInteger}, {@code BigDecimal};
 *           MIN and MAX also any {@code Comparable}</td></tr>
 *   <tr><td>{@link #LAND}, {@link #LOR}, {@link #LXOR}</td>
 *       <td>{@code BOOLEAN BYTE SHORT CHAR INT LONG}</td>
 *       <td>{@code Boolean}, boxed integers and {@code Character}</td></tr>
 *   <tr><td>{@link #BAND}, {@link #BOR}, {@link #BXOR}</td>
 *       <td>{@code BOOLEAN BYTE SHORT CHAR INT LONG}</td>
 *       <td>{@code Boolean}, boxed integers and {@code Character}, {@code BigInteger}</td></tr>
 *   <tr><td>{@link #MINLOC}, {@link #MAXLOC}</td>
 *       <td>{@code INT LONG FLOAT DOUBLE}, as (value, index) pairs</td>
 *       <td>{@link Loc}</td></tr>
 *   </tbody>
 * </table>
 *
 * <p>Every built-in also applies elementwise to primitive arrays of the types its buffers
 * may hold, returning a new array.
 *
 * <p>User-defined operations come in four kinds: {@link #of} (a function over buffers),
 * {@link #ofObjects} (a function over objects), and {@link #ofDoubles} and {@link #ofLongs}
 * (a function over numbers, applied elementwise to buffers and arrays and to boxed scalars).
 *
 * <h2>Order of operands</h2>
 *
 * <p>Every operation is assumed associative; only those declared commutative may be applied
 * in any order. A collective applies an operation in rank order, so over ranks 0 to n-1 it
 * computes {@code x0 ⊕ x1 ⊕ ... ⊕ x(n-1)}, and both {@code reduce} methods take the
 * contribution of the <em>lower</em> ranks first: {@code reduce(in, inout)} stores
 * {@code in ⊕ inout} in {@code inout}, the order of MPI's user functions
 * ({@code invec}, {@code inoutvec}), and {@code reduce(a, b)} returns {@code a ⊕ b}. An
 * algorithm that holds the lower ranks' partial result and receives a higher rank's
 * therefore reduces into the received buffer: {@code reduce(partial, received)}. For a
 * commutative operation it may reduce either way.
 *
 * <p>Floating-point addition and multiplication are not associative in the last bit, so a
 * sum's rounding depends on the order in which a collective's algorithm combines the ranks;
 * the order of the operands of each step is still as above.
 *
 * <h2>Semantics</h2>
 *
 * <ul>
 *   <li>Integers wrap around as Java's do (two's complement); {@code CHAR} is an unsigned
 *       16-bit integer.</li>
 *   <li>MIN and MAX of floating-point numbers are {@link Math#min(double, double)} and
 *       {@link Math#max(double, double)}: a NaN wins, and -0.0 is less than 0.0.</li>
 *   <li>The logical operations treat nonzero integers as true and give 1 or 0; on booleans
 *       the bitwise ones are the logical ones.</li>
 *   <li>MINLOC and MAXLOC on buffers read interleaved (value, index) pairs of the buffer's
 *       type, {@code {v0, i0, v1, i1, ...}}, so the count must be even. They keep the pair
 *       with the smaller (larger) value, and on a tie the smaller index, as MPI prescribes.
 *       Floating-point values are ordered as {@link Double#compare} orders them (every NaN
 *       equal, and above everything else; -0.0 below 0.0), a total order, so that the
 *       result does not depend on the order in which ranks are combined.</li>
 * </ul>
 *
 * <p>Operations are immutable and may be used by many threads and ranks at once; the
 * functions of user-defined operations must allow that too, since in the local engine every
 * rank of the job runs in one JVM.
 *
 * <p>Left out: {@code MPI_Op_free} (the garbage collector frees operations);
 * {@code MPI_REPLACE} and {@code MPI_NO_OP} (one-sided communication only); the mixed pair
 * types {@code MPI_DOUBLE_INT} and kin, replaced by pairs of one type in buffers and by
 * {@link Loc} for objects.
 */
public final class Op {

    /**
     * A user-defined operation on buffers: combines {@code in} into {@code inout}
     * elementwise, {@code inout[i] = in[i] ⊕ inout[i]}, where {@code in} holds the
     * contribution of the lower ranks (see {@link Op}).
     *
     * <p>The two views have the same datatype and count and do not partially overlap; they
     * may be heap arrays, slices of them, or off-heap memory, so read them through
     * {@link Buf#array()} and {@link Buf#arrayOffset()} where {@code array()} is not null and
     * through {@link Buf#segment()} (in the platform's byte order) otherwise. Do not keep the
     * views after returning.
     */
    @FunctionalInterface
    public interface BufferOperator {

        /** Stores {@code in[i] ⊕ inout[i]} in {@code inout[i]} for every element. */
        void apply(Buf in, Buf inout);
    }

    /** Sum ({@code MPI_SUM}). */
    public static final Op SUM = new Op(Builtin.SUM);
    /** Product ({@code MPI_PROD}). */
    public static final Op PROD = new Op(Builtin.PROD);
    /** Minimum ({@code MPI_MIN}). */
    public static final Op MIN = new Op(Builtin.MIN);
    /** Maximum ({@code MPI_MAX}). */
    public static final Op MAX = new Op(Builtin.MAX);
    /** Logical and ({@code MPI_LAND}). */
    public static final Op LAND = new Op(Builtin.LAND);
    /** Logical or ({@code MPI_LOR}). */
    public static final Op LOR = new Op(Builtin.LOR);
    /** Logical exclusive or ({@code MPI_LXOR}). */
    public static final Op LXOR = new Op(Builtin.LXOR);
    /** Bitwise and ({@code MPI_BAND}). */
    public static final Op BAND = new Op(Builtin.BAND);
    /** Bitwise or ({@code MPI_BOR}). */
    public static final Op BOR = new Op(Builtin.BOR);
    /** Bitwise exclusive or ({@code MPI_BXOR}). */
    public static final Op BXOR = new Op(Builtin.BXOR);
    /** Minimum value and its index ({@code MPI_MINLOC}); see {@link Loc}. */
    public static final Op MINLOC = new Op(Builtin.MINLOC);
    /** Maximum value and its index ({@code MPI_MAXLOC}); see {@link Loc}. */
    public static final Op MAXLOC = new Op(Builtin.MAXLOC);

    private static final Set<Datatype> FLOATING = EnumSet.of(Datatype.FLOAT, Datatype.DOUBLE);
    private static final Set<Datatype> INTEGERS = EnumSet.of(Datatype.BYTE, Datatype.SHORT, Datatype.CHAR,
            Datatype.INT, Datatype.LONG);

    private final String name;
    /** How errors name this operation: {@code Op.SUM}, or {@code Op "name"} for a user's. */
    private final String label;
    private final boolean commutative;
    /** The element types of the buffers this operation is defined on. */
    private final Set<Datatype> bufferTypes;
    // Exactly one of the following is non-null.
    private final Builtin builtin;
    private final BufferOperator buffers;
    private final BinaryOperator<Object> objects;
    private final DoubleBinaryOperator doubles;
    private final LongBinaryOperator longs;

    private Op(Builtin builtin) {
        this(builtin.name(), "Op." + builtin.name(), true, builtin.types(), builtin, null, null, null, null);
    }

    private Op(String name, String label, boolean commutative, Set<Datatype> bufferTypes, Builtin builtin,
            BufferOperator buffers, BinaryOperator<Object> objects, DoubleBinaryOperator doubles,
            LongBinaryOperator longs) {
        this.name = name;
        this.label = label;
        this.commutative = commutative;
        this.bufferTypes = bufferTypes;
        this.builtin = builtin;
        this.buffers = buffers;
        this.objects = objects;
        this.doubles = doubles;
        this.longs = longs;
    }

    // ================================================================== user-defined operations

    /**
     * Returns a user-defined operation on buffers of any datatype ({@code MPI_Op_create}).
     * It applies to objects too: to primitive arrays, through views of them (the result is
     * a new array), and to boxed primitives, through one-element arrays.
     *
     * <pre>{@code
     * Op absMax = Op.of("absMax", (in, inout) -> {
     *     double[] x = (double[]) in.array(), y = (double[]) inout.array();  // heap arrays only
     *     for (int i = 0; i < in.count(); i++) {
     *         int j = inout.arrayOffset() + i;
     *         y[j] = Math.max(Math.abs(x[in.arrayOffset() + i]), Math.abs(y[j]));
     *     }
     * }, true);
     * }</pre>
     *
     * @param name names the operation in {@link #toString()} and in errors
     * @param fn stores {@code in[i] ⊕ inout[i]} in {@code inout[i]}, {@code in} holding the
     *     lower ranks' contribution
     * @param commutative whether {@code a ⊕ b == b ⊕ a}, which lets collectives combine
     *     ranks in any order
     * @throws MpiException of class {@link ErrorClass#ARG} if {@code name} is empty
     */
    public static Op of(String name, BufferOperator fn, boolean commutative) {
        Objects.requireNonNull(fn, "fn");
        return new Op(checkName("of", name), userLabel(name), commutative, EnumSet.allOf(Datatype.class),
                null, fn, null, null, null);
    }

    /**
     * Returns a user-defined operation on objects: {@code reduce(a, b)} returns
     * {@code fn.apply(a, b)}, which means {@code a ⊕ b}, {@code a} holding the lower ranks'
     * contribution. The function receives whatever the ranks contribute, nulls included, and
     * a value of the wrong type makes it throw {@link ClassCastException}. It is not defined
     * on buffers.
     *
     * <pre>{@code
     * Op concat = Op.ofObjects("concat", (String a, String b) -> a + b, false);
     * String all = world.allreduce(Integer.toString(world.rank()), concat);  // "0123" on 4 ranks
     * }</pre>
     *
     * @param <T> the type of the values combined
     * @param name names the operation in {@link #toString()} and in errors
     * @param fn returns {@code a ⊕ b}
     * @param commutative whether {@code a ⊕ b} equals {@code b ⊕ a}
     * @throws MpiException of class {@link ErrorClass#ARG} if {@code name} is empty
     */
    @SuppressWarnings("unchecked")
    public static <T> Op ofObjects(String name, BinaryOperator<T> fn, boolean commutative) {
        Objects.requireNonNull(fn, "fn");
        return new Op(checkName("ofObjects", name), userLabel(name), commutative, EnumSet.noneOf(Datatype.class),
                null, null, (BinaryOperator<Object>) fn, null, null);
    }

    /**
     * Returns a user-defined operation on floating-point numbers, applied elementwise to
     * buffers of {@link Datatype#FLOAT} and {@link Datatype#DOUBLE}, to {@code float[]} and
     * {@code double[]} arrays and to {@code Float} and {@code Double} objects. Each result is
     * rounded to the element type.
     *
     * <pre>{@code
     * Op hypot = Op.ofDoubles("hypot", Math::hypot, true);
     * }</pre>
     *
     * @param name names the operation in {@link #toString()} and in errors
     * @param fn returns {@code a ⊕ b}, {@code a} from the lower ranks
     * @param commutative whether {@code a ⊕ b} equals {@code b ⊕ a}
     * @throws MpiException of class {@link ErrorClass#ARG} if {@code name} is empty
     */
    public static Op ofDoubles(String name, DoubleBinaryOperator fn, boolean commutative) {
        Objects.requireNonNull(fn, "fn");
        return new Op(checkName("ofDoubles", name), userLabel(name), commutative, FLOATING, null, null, null, fn,
                null);
    }

    /**
     * Returns a user-defined operation on integers, applied elementwise to buffers of
     * {@link Datatype#BYTE}, {@link Datatype#SHORT}, {@link Datatype#CHAR},
     * {@link Datatype#INT} and {@link Datatype#LONG}, to arrays of those types and to their
     * boxed objects ({@code Character} included). Operands are widened to {@code long}
     * ({@code char} as unsigned) and each result is narrowed back to the element type,
     * keeping its low bits.
     *
     * <pre>{@code
     * Op gcd = Op.ofLongs("gcd", (a, b) -> BigInteger.valueOf(a).gcd(BigInteger.valueOf(b)).longValue(), true);
     * }</pre>
     *
     * @param name names the operation in {@link #toString()} and in errors
     * @param fn returns {@code a ⊕ b}, {@code a} from the lower ranks
     * @param commutative whether {@code a ⊕ b} equals {@code b ⊕ a}
     * @throws MpiException of class {@link ErrorClass#ARG} if {@code name} is empty
     */
    public static Op ofLongs(String name, LongBinaryOperator fn, boolean commutative) {
        Objects.requireNonNull(fn, "fn");
        return new Op(checkName("ofLongs", name), userLabel(name), commutative, INTEGERS, null, null, null, null,
                fn);
    }

    private static String checkName(String factory, String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new MpiException(ErrorClass.ARG, "Op." + factory + ": name is empty");
        }
        return name;
    }

    private static String userLabel(String name) {
        return "Op \"" + name + "\"";
    }

    // ================================================================== queries

    /** Returns the operation's name: {@code "SUM"} for {@link #SUM}, the given name for a user's. */
    public String name() {
        return name;
    }

    /**
     * Returns whether the operation is commutative, which lets collectives combine ranks in
     * any order. Every built-in operation is.
     */
    public boolean isCommutative() {
        return commutative;
    }

    /**
     * Returns whether {@link #reduce(Buf, Buf)} is defined on buffers of {@code datatype}.
     * Operations made by {@link #of} are defined on every datatype, those made by
     * {@link #ofObjects} on none.
     */
    public boolean isDefinedOn(Datatype datatype) {
        return bufferTypes.contains(Objects.requireNonNull(datatype, "datatype"));
    }

    /** Returns the operation's name. */
    @Override
    public String toString() {
        return name;
    }

    // ================================================================== buffers

    /**
     * Combines {@code in} into {@code inout} elementwise: {@code inout[i] = in[i] ⊕ inout[i]}.
     *
     * <p>{@code in} holds the contribution of the <em>lower</em> ranks, {@code inout} that of
     * the higher ones, so a collective that reduces in rank order computes
     * {@code x0 ⊕ x1 ⊕ ... ⊕ x(n-1)}, which matters for operations that are not commutative.
     * {@code in} is not modified. The two may be the same view ({@code x ⊕ x}) but must not
     * otherwise overlap.
     *
     * @throws MpiException of class {@link ErrorClass#TYPE} if the datatypes differ or the
     *     operation is not defined on them (see {@link #isDefinedOn});
     *     {@link ErrorClass#COUNT} if the counts differ, or are odd for MINLOC and MAXLOC;
     *     {@link ErrorClass#BUFFER} if {@code inout} is read-only or the views partially
     *     overlap
     */
    public void reduce(Buf in, Buf inout) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(inout, "inout");
        Datatype type = in.datatype();
        if (type != inout.datatype()) {
            throw new MpiException(ErrorClass.TYPE, label + ": in is " + type + " but inout is " + inout.datatype());
        }
        if (in.count() != inout.count()) {
            throw new MpiException(ErrorClass.COUNT, label + ": in has " + in.count() + " elements but inout has "
                    + inout.count());
        }
        checkApplicable(type, in.count());
        if (inout.isReadOnly()) {
            throw new MpiException(ErrorClass.BUFFER, label + ": inout is read-only");
        }
        if (overlapPartially(in, inout)) {
            throw new MpiException(ErrorClass.BUFFER, label + ": in and inout overlap but are not the same memory");
        }
        if (builtin != null) {
            OpKernels.apply(builtin, in, inout);
        } else if (buffers != null) {
            buffers.apply(in, inout);
        } else if (doubles != null) {
            OpKernels.applyDoubles(doubles, in, inout);
        } else {
            OpKernels.applyLongs(longs, in, inout);
        }
    }

    /**
     * Checks that this operation can reduce buffers of {@code count} elements of
     * {@code type}, with the error {@link #reduce(Buf, Buf)} would throw: for {@link Comm} to
     * call before anything is sent, so that a misuse fails on every rank alike instead of
     * midway through a collective.
     */
    void checkApplicable(Datatype type, long count) {
        if (!bufferTypes.contains(type)) {
            throw new MpiException(ErrorClass.TYPE, label + " is not defined on " + type
                    + (objects != null ? " (it is an operation on objects)" : ""));
        }
        if (builtin != null && builtin.isPairwise() && count % 2 != 0) {
            throw new MpiException(ErrorClass.COUNT, label + " needs (value, index) pairs: odd count " + count);
        }
    }

    /** Returns whether the views share memory without being the same memory. */
    private static boolean overlapPartially(Buf in, Buf inout) {
        MemorySegment x = in.segment();
        if (x == null) { // boolean[]: both are, as the datatypes are equal
            long distance = Math.abs((long) in.arrayOffset() - inout.arrayOffset());
            return in.array() == inout.array() && distance != 0 && distance < in.count();
        }
        Optional<MemorySegment> common = x.asOverlappingSlice(inout.segment());
        return common.isPresent() && common.get().byteSize() != x.byteSize();
    }

    // ================================================================== objects

    /**
     * Returns {@code a ⊕ b}, {@code a} holding the contribution of the lower ranks. Neither
     * operand is modified: arrays are combined into a new array.
     *
     * <p>The built-in operations are defined on boxed primitives of one type (the result has
     * that type), on {@code BigInteger} and {@code BigDecimal}, on primitive arrays of one
     * type and length, elementwise, on {@link Loc} for MINLOC and MAXLOC, and, for MIN and
     * MAX, on any {@link Comparable} (on a tie, MIN and MAX return {@code a}). See
     * {@link Op} for which operation takes which type. User-defined operations apply as
     * their factories describe; those of {@link #ofObjects} receive nulls too.
     *
     * @throws MpiException of class {@link ErrorClass#ARG} if an operand is null;
     *     {@link ErrorClass#TYPE} if the operands' types differ or cannot be compared, or the
     *     operation is not defined on them; {@link ErrorClass#COUNT} if arrays differ in
     *     length, or MINLOC or MAXLOC gets an array of odd length
     */
    public Object reduce(Object a, Object b) {
        if (objects != null) {
            return objects.apply(a, b);
        }
        if (a == null || b == null) {
            throw new MpiException(ErrorClass.ARG, label + ": operand " + (a == null ? "a" : "b") + " is null");
        }
        Buf x = Buf.ofArrayOrNull(a);
        if (x != null) {
            return reduceArrays(x, a, b);
        }
        Datatype type = boxedType(a);
        if (type != null) {
            return reduceBoxed(type, a, b);
        }
        if (builtin != null) {
            return reduceBuiltin(builtin, a, b);
        }
        throw notDefinedOn(a);
    }

    private Object reduceArrays(Buf x, Object a, Object b) {
        requireSameClass(a, b);
        if (!bufferTypes.contains(x.datatype())) {
            throw notDefinedOn(a);
        }
        Buf y = Buf.ofArrayOrNull(b).copyToHeap();
        if (x.count() != y.count()) {
            throw new MpiException(ErrorClass.COUNT, label + ": arrays of different lengths: " + x.count() + " and "
                    + y.count());
        }
        reduce(x, y);
        return y.array();
    }

    private Object reduceBoxed(Datatype type, Object a, Object b) {
        requireSameClass(a, b);
        if (!bufferTypes.contains(type) || builtin != null && builtin.isPairwise()) {
            throw notDefinedOn(a);
        }
        if (builtin != null) {
            return switch (type) {
                case BOOLEAN -> OpKernels.scalar(builtin, (boolean) (Boolean) a, (boolean) (Boolean) b);
                case FLOAT -> (float) OpKernels.scalar(builtin, (double) (Float) a, (double) (Float) b);
                case DOUBLE -> OpKernels.scalar(builtin, (double) (Double) a, (double) (Double) b);
                default -> narrow(type, OpKernels.scalar(builtin, widen(a), widen(b)));
            };
        }
        if (doubles != null) {
            double r = doubles.applyAsDouble(((Number) a).doubleValue(), ((Number) b).doubleValue());
            return type == Datatype.FLOAT ? (Object) (float) r : (Object) r;
        }
        if (longs != null) {
            return narrow(type, longs.applyAsLong(widen(a), widen(b)));
        }
        Buf in = Buf.allocate(type, 1); // a user's BufferOperator: through one-element arrays
        Buf inout = Buf.allocate(type, 1);
        Array.set(in.array(), 0, a);
        Array.set(inout.array(), 0, b);
        buffers.apply(in, inout);
        return Array.get(inout.array(), 0);
    }

    private Object reduceBuiltin(Builtin op, Object a, Object b) {
        if (a instanceof BigInteger x) {
            if (!(b instanceof BigInteger y)) {
                throw differentTypes(a, b);
            }
            return switch (op) {
                case SUM -> x.add(y);
                case PROD -> x.multiply(y);
                case MIN -> x.min(y);
                case MAX -> x.max(y);
                case BAND -> x.and(y);
                case BOR -> x.or(y);
                case BXOR -> x.xor(y);
                default -> throw notDefinedOn(a);
            };
        }
        if (a instanceof BigDecimal x) {
            if (!(b instanceof BigDecimal y)) {
                throw differentTypes(a, b);
            }
            return switch (op) {
                case SUM -> x.add(y);
                case PROD -> x.multiply(y);
                case MIN -> x.min(y);
                case MAX -> x.max(y);
                default -> throw notDefinedOn(a);
            };
        }
        if (a instanceof Loc<?> x && op.isPairwise()) {
            if (!(b instanceof Loc<?> y)) {
                throw differentTypes(a, b);
            }
            // Lexicographic on (value, index), reversed in the value for MAXLOC: a total
            // order when the values' is, so any order of combination gives the same pair.
            int c = compare(x.value(), y.value());
            if (op == Builtin.MAXLOC) {
                c = -c;
            }
            return c < 0 || c == 0 && x.index() <= y.index() ? x : y;
        }
        if ((op == Builtin.MIN || op == Builtin.MAX) && a instanceof Comparable<?>) {
            int c = compare(a, b);
            return (op == Builtin.MIN ? c <= 0 : c >= 0) ? a : b;
        }
        throw notDefinedOn(a);
    }

    @SuppressWarnings("unchecked")
    private int compare(Object a, Object b) {
        try {
            return ((Comparable<Object>) a).compareTo(b);
        } catch (ClassCastException e) {
            throw new MpiException(ErrorClass.TYPE, label + ": cannot compare " + a.getClass().getTypeName()
                    + " with " + b.getClass().getTypeName(), e);
        }
    }

    /** Returns the datatype of a boxed primitive, or null if {@code o} is none. */
    private static Datatype boxedType(Object o) {
        return switch (o) {
            case Double _ -> Datatype.DOUBLE;
            case Integer _ -> Datatype.INT;
            case Long _ -> Datatype.LONG;
            case Float _ -> Datatype.FLOAT;
            case Short _ -> Datatype.SHORT;
            case Byte _ -> Datatype.BYTE;
            case Character _ -> Datatype.CHAR;
            case Boolean _ -> Datatype.BOOLEAN;
            default -> null;
        };
    }

    /** Widens a boxed integer or character to {@code long}: sign-extended, or zero-extended for a char. */
    private static long widen(Object boxed) {
        return boxed instanceof Character c ? c : ((Number) boxed).longValue();
    }

    /** Boxes the low bits of {@code v} as the integer type {@code type}. */
    private static Object narrow(Datatype type, long v) {
        return switch (type) {
            case BYTE -> (byte) v;
            case SHORT -> (short) v;
            case CHAR -> (char) v;
            case INT -> (int) v;
            case LONG -> v;
            default -> throw new AssertionError("narrow to " + type);
        };
    }

    private void requireSameClass(Object a, Object b) {
        if (a.getClass() != b.getClass()) {
            throw differentTypes(a, b);
        }
    }

    private MpiException differentTypes(Object a, Object b) {
        return new MpiException(ErrorClass.TYPE, label + ": operands of different types: "
                + a.getClass().getTypeName() + " and " + b.getClass().getTypeName());
    }

    private MpiException notDefinedOn(Object a) {
        String hint = builtin != null && builtin.isPairwise()
                ? " (it takes Loc pairs, or arrays of (value, index) pairs)"
                : buffers != null ? " (it is an operation on buffers and primitive arrays)" : "";
        return new MpiException(ErrorClass.TYPE, label + " is not defined on " + a.getClass().getTypeName() + hint);
    }
}
