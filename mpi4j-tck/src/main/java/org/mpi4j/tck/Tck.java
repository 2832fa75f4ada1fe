package org.mpi4j.tck;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.mpi4j.Buf;
import org.mpi4j.Comm;
import org.mpi4j.Datatype;
import org.mpi4j.Request;
import org.mpi4j.Status;

/** Helpers the suites share: neighbours in a ring, a barrier made of messages, seeds. */
public final class Tck {

    /** The tag {@link #barrier} uses; suites use tags below it. */
    public static final int BARRIER_TAG = 1_000_000;

    /** The setting that fixes the seed of randomized tests. */
    public static final String SEED = "mpi4j.test.seed";

    private Tck() {
    }

    /** Returns the rank after this one in a ring over {@code comm}. */
    public static int right(Comm comm) {
        return (comm.rank() + 1) % comm.size();
    }

    /** Returns the rank before this one in a ring over {@code comm}. */
    public static int left(Comm comm) {
        return (comm.rank() + comm.size() - 1) % comm.size();
    }

    /**
     * Waits until every rank of {@code comm} has called it, using point-to-point messages
     * with {@link #BARRIER_TAG} (collectives are tested elsewhere). Do not call it while a
     * receive with {@code ANY_TAG} may be pending.
     */
    public static void barrier(Comm comm) {
        int size = comm.size();
        if (comm.rank() == 0) {
            for (int r = 1; r < size; r++) {
                comm.recv(r, BARRIER_TAG);
            }
            for (int r = 1; r < size; r++) {
                comm.send((Object) null, r, BARRIER_TAG);
            }
        } else {
            comm.send((Object) null, 0, BARRIER_TAG);
            comm.recv(0, BARRIER_TAG);
        }
    }

    /**
     * Sends {@code out} to the right neighbour and receives {@code in} from the left one with
     * blocking calls, in an order that cannot deadlock even when sends are not buffered (MPI
     * lets any standard send wait for its receive): even ranks send first, odd ranks receive
     * first. On a single rank the receive is posted first.
     *
     * @return the receive's status
     */
    public static Status sendThenRecv(Comm comm, Buf out, Buf in, int tag) {
        if (comm.size() == 1) {
            Request<Status> r = comm.irecv(in, 0, tag);
            comm.send(out, 0, tag);
            return r.waitFor();
        }
        if (comm.rank() % 2 == 0) {
            comm.send(out, right(comm), tag);
            return comm.recv(in, left(comm), tag);
        }
        Status st = comm.recv(in, left(comm), tag);
        comm.send(out, right(comm), tag);
        return st;
    }

    /**
     * Returns the seed for a randomized test, from {@link #SEED} if set, else a random one,
     * and prints it ({@code seed=...}) so a failure can be replayed. Call it once per test
     * invocation (for instance in a field initializer, which all ranks share), not per rank.
     */
    public static long seed() {
        String fixed = System.getProperty(SEED);
        long seed = fixed != null && !fixed.isBlank() ? Long.parseLong(fixed.trim()) : ThreadLocalRandom.current().nextLong();
        System.out.println("seed=" + seed + " (replay with -D" + SEED + "=" + seed + ")");
        return seed;
    }

    /** The element types a {@link Buf} can hold: every {@link Datatype} but {@code OBJECT}. */
    public static final List<Datatype> PRIMITIVES = List.of(Datatype.BYTE, Datatype.BOOLEAN, Datatype.CHAR,
            Datatype.SHORT, Datatype.INT, Datatype.FLOAT, Datatype.LONG, Datatype.DOUBLE);

    /**
     * Returns a new primitive array of {@code n} elements of {@code type} whose values
     * depend on {@code salt} and the index, so a receiver can tell whose data it got.
     */
    public static Object array(Datatype type, int n, int salt) {
        return switch (type) {
            case BYTE -> {
                byte[] a = new byte[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (byte) (salt * 31 + i);
                }
                yield a;
            }
            case BOOLEAN -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (salt + i) % 3 == 0;
                }
                yield a;
            }
            case CHAR -> {
                char[] a = new char[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (char) (0x4E00 + salt * 97 + i);
                }
                yield a;
            }
            case SHORT -> {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (short) (salt * 1000 - i);
                }
                yield a;
            }
            case INT -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = salt * 100_000 + i;
                }
                yield a;
            }
            case FLOAT -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = salt + i / 4f;
                }
                yield a;
            }
            case LONG -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = ((long) salt << 40) + i;
                }
                yield a;
            }
            case DOUBLE -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = salt + i * Math.PI;
                }
                yield a;
            }
            case OBJECT -> throw new IllegalArgumentException("OBJECT has no primitive array");
        };
    }

    /** Returns a view of the whole primitive {@code array}. */
    public static Buf buf(Object array) {
        return buf(array, 0, java.lang.reflect.Array.getLength(array));
    }

    /** Returns a view of {@code length} elements of the primitive {@code array} from {@code offset}. */
    public static Buf buf(Object array, int offset, int length) {
        return switch (array) {
            case byte[] a -> Buf.of(a, offset, length);
            case boolean[] a -> Buf.of(a, offset, length);
            case char[] a -> Buf.of(a, offset, length);
            case short[] a -> Buf.of(a, offset, length);
            case int[] a -> Buf.of(a, offset, length);
            case float[] a -> Buf.of(a, offset, length);
            case long[] a -> Buf.of(a, offset, length);
            case double[] a -> Buf.of(a, offset, length);
            default -> throw new IllegalArgumentException("not a primitive array: " + array);
        };
    }

    /** Returns whether two primitive arrays have the same type and elements. */
    public static boolean same(Object a, Object b) {
        return Arrays.deepEquals(new Object[] {a}, new Object[] {b});
    }

    /** Describes a primitive array for a failure message. */
    public static String show(Object array) {
        String s = Arrays.deepToString(new Object[] {array});
        return s.length() > 300 ? s.substring(0, 300) + "...]" : s;
    }

    /** The byte at position {@code i} of the test pattern {@code salt}. */
    public static byte pattern(long salt, long i) {
        long x = (salt + 1) * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L;
        return (byte) (x ^ (x >>> 29) ^ (x >>> 47));
    }

    /** Returns {@code n} bytes of the pattern {@code salt}. */
    public static byte[] bytes(long salt, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = pattern(salt, i);
        }
        return b;
    }

    /** Returns the index of the first byte of {@code b} (from {@code off}, {@code n} long) that differs from pattern {@code salt}, or -1. */
    public static int mismatch(byte[] b, int off, int n, long salt) {
        for (int i = 0; i < n; i++) {
            if (b[off + i] != pattern(salt, i)) {
                return i;
            }
        }
        return -1;
    }
}
