package org.mpi4j;

import java.util.Arrays;
import java.util.Objects;

/** Checks of the counts and displacements that lay blocks out in a buffer, for the v-form collectives. */
final class Layouts {
    private Layouts() {
    }

    /**
     * Checks that {@code counts} and {@code displs} give each of {@code n} ranks a block
     * within {@code buf}; for a receive buffer ({@code disjoint}), also that no two blocks
     * overlap, since what lands in an overlap would depend on timing.
     */
    static void check(String op, String bufName, Buf buf, int[] counts, int[] displs, int n, boolean disjoint) {
        Objects.requireNonNull(counts, bufName + "Counts");
        Objects.requireNonNull(displs, bufName + "Displs");
        if (counts.length != n || displs.length != n) {
            throw new MpiException(ErrorClass.ARG, op + ": the layout of " + bufName + " has " + counts.length
                    + " counts and " + displs.length + " displacements; the communicator has " + n + " ranks");
        }
        for (int r = 0; r < n; r++) {
            if (counts[r] < 0) {
                throw new MpiException(ErrorClass.COUNT, op + ": count " + counts[r] + " for rank " + r + " is negative");
            }
            if (displs[r] < 0) {
                throw new MpiException(ErrorClass.ARG, op + ": displacement " + displs[r] + " for rank " + r + " is negative");
            }
            if ((long) displs[r] + counts[r] > buf.count()) {
                throw new MpiException(ErrorClass.COUNT, op + ": the block of rank " + r + " (" + counts[r]
                        + " elements at " + displs[r] + ") ends beyond " + bufName + ", which holds " + buf.count());
            }
        }
        if (disjoint) {
            Integer[] order = new Integer[n];
            for (int r = 0; r < n; r++) {
                order[r] = r;
            }
            Arrays.sort(order, (a, b) -> Integer.compare(displs[a], displs[b]));
            long end = 0;
            int last = -1;
            for (int r : order) {
                if (counts[r] == 0) {
                    continue;
                }
                if (displs[r] < end) {
                    throw new MpiException(ErrorClass.ARG, op + ": in " + bufName + " the block of rank " + r
                            + " overlaps that of rank " + last + "; blocks that are received must not overlap");
                }
                end = (long) displs[r] + counts[r];
                last = r;
            }
        }
    }

    /** Checks that this rank's own block (null: in place) has the buffer's type and {@code count} elements. */
    static void checkBlock(String op, Buf block, Buf all, int count) {
        if (block == null) {
            return;
        }
        if (block.datatype() != all.datatype()) {
            throw new MpiException(ErrorClass.TYPE, op + ": this rank's block holds " + block.datatype()
                    + " elements, the layout's buffer " + all.datatype());
        }
        if (block.count() != count) {
            throw new MpiException(ErrorClass.COUNT, op + ": this rank's block holds " + block.count()
                    + " elements, but the layout gives it " + count);
        }
    }
}
