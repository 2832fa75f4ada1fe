package org.mpi4j.coll;

import org.mpi4j.Buf;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.Status;
import org.mpi4j.spi.AbstractRequest;

/** Small helpers the algorithms share: element copies, received-size checks, waiting on many requests. */
final class Blocks {
    private Blocks() {
    }

    /** Copies {@code count} elements from element {@code from} of {@code src} to element {@code to} of {@code dst}. */
    static void copy(Buf src, long from, Buf dst, long to, long count) {
        long extent = src.datatype().extent();
        Buf.copy(src, from * extent, dst, to * extent, count * extent);
    }

    /** Fails with a COUNT error naming the sender unless {@code st} says {@code expected} elements arrived. */
    static void check(String op, Status st, int from, long expected) {
        if (st.count() != expected) {
            throw new MpiException(ErrorClass.COUNT, op + ": rank " + from + " sent " + st.count() + " elements where "
                    + expected + " were expected; the counts passed on the ranks do not agree");
        }
    }

    /** Waits for every non-null request. */
    static void waitAll(AbstractRequest<?>[] requests) {
        for (AbstractRequest<?> r : requests) {
            if (r != null) {
                r.waitFor();
            }
        }
    }

    /** The prefix sums of {@code counts}: element offsets of consecutive blocks, one more entry than counts. */
    static long[] starts(int[] counts) {
        long[] s = new long[counts.length + 1];
        for (int i = 0; i < counts.length; i++) {
            s[i + 1] = s[i] + counts[i];
        }
        return s;
    }
}
