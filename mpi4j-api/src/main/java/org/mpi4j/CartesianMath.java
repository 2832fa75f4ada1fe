package org.mpi4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The arithmetic of MPI's Cartesian topologies (MPI 4.1 §8.5.1–8.5.5), free of any
 * communicator: {@code MPI_Dims_create}, coordinates and ranks, shifts and sub-grids.
 *
 * <p>A grid of {@code dims.length} dimensions numbers its points in row-major order, as MPI
 * does: the last coordinate varies fastest, so in a 2 x 3 grid rank {@code r} is at
 * {@code {r / 3, r % 3}}, and rank 4 at {1, 1}. A grid of no dimensions has one point, at
 * {@code {}}. A periodic dimension wraps around; past the edge
 * of a non-periodic one there is no neighbour ({@link Mpi#PROC_NULL}).
 *
 * <p>Every method checks its arguments and throws an {@link MpiException} naming the MPI
 * operation it serves and the violated condition. MPI's {@code MPI_ERR_DIMS} has no class
 * of its own here: bad dimensions are {@link ErrorClass#ARG}, bad ranks and coordinates
 * {@link ErrorClass#RANK}. ({@link ErrorClass#TOPOLOGY} is for topologies that do not fit
 * together across ranks, which only the communicating code in {@link Topologies} can see.)
 */
final class CartesianMath {

    private CartesianMath() {
    }

    // ================================================================== MPI_Dims_create

    /**
     * Returns a balanced grid of {@code nnodes} points: {@code MPI_Dims_create}.
     *
     * <p>Entries of {@code dims} greater than 0 are kept; entries equal to 0 are filled so
     * that the product of all entries is {@code nnodes}, with the filled entries as close to
     * each other as possible and in non-increasing order. {@code (6, {0, 0})} gives
     * {@code {3, 2}}, {@code (7, {0, 0})} {@code {7, 1}}, {@code (6, {0, 3, 0})}
     * {@code {2, 3, 1}}.
     *
     * <p>"As close as possible" is taken as Träff and Lübbe read the standard ("Specification
     * guideline violations by MPI_Dims_create", EuroMPI 2015), and as MPICH implements it:
     * the filled entries minimise the difference between the largest and the smallest. Where
     * several fillings reach that minimum, the one that is lexicographically smallest in
     * non-increasing order wins (the smallest largest entry, then the smallest second
     * largest, ...): for 360 in three dimensions both {10, 6, 6} and {9, 8, 5} differ by 4,
     * and {9, 8, 5} is chosen; for 20 in four, {5, 2, 2, 1} rather than {5, 4, 1, 1}. (Some
     * implementations approximate: Open MPI 4.1 gives {12, 6} for 72 in two dimensions,
     * where {9, 8} is as balanced as can be.)
     *
     * @param nnodes the number of grid points, at least 1
     * @param dims the dimensions, 0 where the call is to choose; not modified
     * @return a new array: {@code dims} with its 0 entries filled
     * @throws MpiException of class {@link ErrorClass#COUNT} if {@code nnodes < 1}; of class
     *         {@link ErrorClass#ARG} if an entry is negative, if {@code nnodes} is not a
     *         multiple of the product of the positive entries, or if no entry is 0 and that
     *         product is not {@code nnodes}
     */
    static int[] dimsCreate(int nnodes, int[] dims) {
        Objects.requireNonNull(dims, "dims");
        if (nnodes < 1) {
            throw new MpiException(ErrorClass.COUNT, "dimsCreate: nnodes < 1: " + nnodes);
        }
        long fixed = 1; // saturates just above nnodes: beyond that it cannot divide nnodes anyway
        int free = 0;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new MpiException(ErrorClass.ARG, "dimsCreate: dims[" + i + "] = " + dims[i]
                        + " is negative (0 lets the call choose; a positive entry is kept)");
            }
            if (dims[i] == 0) {
                free++;
            } else {
                fixed = Math.min(fixed * dims[i], (long) nnodes + 1);
            }
        }
        if (fixed > nnodes || nnodes % fixed != 0) {
            throw new MpiException(ErrorClass.ARG, "dimsCreate: nnodes " + nnodes + " is not a multiple of "
                    + (fixed > nnodes ? "the product of the positive entries of " : fixed + ", the product of the positive entries of ")
                    + Arrays.toString(dims));
        }
        int rest = (int) (nnodes / fixed);
        int[] out = dims.clone();
        if (free == 0) {
            if (rest != 1) {
                throw new MpiException(ErrorClass.ARG, "dimsCreate: dims " + Arrays.toString(dims)
                        + " has no 0 entry to fill, and its product " + fixed + " is not nnodes " + nnodes);
            }
            return out;
        }
        int[] filled = balancedFactors(rest, free);
        for (int i = 0, j = 0; i < out.length; i++) {
            if (out[i] == 0) {
                out[i] = filled[j++];
            }
        }
        return out;
    }

    /**
     * Returns {@code k >= 1} factors of {@code n >= 1}, in non-increasing order, whose
     * largest and smallest differ least; among those, the lexicographically smallest.
     *
     * <p>A depth-first search over non-increasing factor sequences, each position trying the
     * divisors of what is left in increasing order. That order visits sequences in
     * lexicographic order, so the first sequence found with a given spread is the smallest
     * one with it, and a later sequence is kept only if its spread is strictly smaller.
     *
     * <p>Two cuts keep the search small. A factor placed at a position with {@code s}
     * positions left (itself included) and {@code r} left to divide must satisfy
     * {@code f^s >= r}, since the factors after it are no larger. And once a sequence with
     * spread {@code best} is known, a better one starting with {@code f1} needs every factor
     * at least {@code low = f1 - best + 1}, so what is left after a factor {@code f} must be at
     * least {@code low^(s-1)}; as {@code f} grows that fails for good, and the loop stops.
     * For example, 360 in three: the first factor is at least 8 ({@code 7^3 < 360}). 8 leaves
     * 45 for a second factor from 7 ({@code 7^2 >= 45}) to 8, and 45 has no such divisor.
     * 9 leaves 40 = 8 * 5, so {9, 8, 5} is found, with spread 4. Then a first factor of 10
     * needs both others to be at least 7, but 36 is left and {@code 7^2 > 36}: the search
     * ends there, and {10, 6, 6}, also of spread 4, is never built.
     */
    static int[] balancedFactors(int n, int k) {
        if (k == 1) {
            return new int[] {n};
        }
        if (n == 1) {
            int[] ones = new int[k];
            Arrays.fill(ones, 1);
            return ones;
        }
        Search s = new Search(n, k);
        s.place(0, n, n, 0);
        return s.best;
    }

    private static final class Search {
        final int k;
        final int[] divisors;
        final int[] current;
        int[] best;
        int bestSpread = Integer.MAX_VALUE;

        Search(int n, int k) {
            this.k = k;
            this.divisors = divisors(n);
            this.current = new int[k];
        }

        /** The least value every factor must have for a sequence starting with {@code first} to beat the best. */
        int low(int first) {
            return bestSpread == Integer.MAX_VALUE ? 1 : Math.max(1, first - bestSpread + 1);
        }

        /**
         * Places factors at positions {@code pos..k-1}, which must multiply to {@code rest}
         * and be at most {@code max}; {@code first} is the factor at position 0, or 0 when
         * {@code pos == 0}.
         */
        void place(int pos, int rest, int max, int first) {
            int slots = k - pos;
            if (rest == 1) { // only ones are left to place; pos > 0, as n > 1
                if (first - 1 < bestSpread) {
                    Arrays.fill(current, pos, k, 1);
                    record(first - 1);
                }
                return;
            }
            if (slots == 1) {
                if (rest <= max && first - rest < bestSpread) {
                    current[pos] = rest;
                    record(first - rest);
                }
                return;
            }
            for (int d : divisors) {
                if (d > max || d > rest) {
                    break;
                }
                if (rest % d != 0 || !powAtLeast(d, slots, rest)) {
                    continue; // not a factor, or too small to be the largest of what is left
                }
                int f1 = pos == 0 ? d : first;
                int low = low(f1);
                if (d < low) {
                    continue;
                }
                if (low > 1 && !powAtMost(low, slots - 1, rest / d)) {
                    break; // the rest cannot be split into factors >= low, nor after any larger d
                }
                current[pos] = d;
                place(pos + 1, rest / d, d, f1);
            }
        }

        void record(int spread) {
            bestSpread = spread;
            best = current.clone();
        }
    }

    /** Returns the divisors of {@code n >= 1} in increasing order. */
    private static int[] divisors(int n) {
        List<Integer> small = new ArrayList<>();
        List<Integer> large = new ArrayList<>();
        for (int d = 1; (long) d * d <= n; d++) {
            if (n % d == 0) {
                small.add(d);
                if (d != n / d) {
                    large.add(n / d);
                }
            }
        }
        int[] out = new int[small.size() + large.size()];
        int i = 0;
        for (int d : small) {
            out[i++] = d;
        }
        for (int j = large.size() - 1; j >= 0; j--) {
            out[i++] = large.get(j);
        }
        return out;
    }

    /** Returns whether {@code base^exp >= target}, for {@code base >= 1}, {@code exp >= 0}. */
    private static boolean powAtLeast(int base, int exp, long target) {
        if (base == 1) {
            return target <= 1;
        }
        long p = 1;
        for (int i = 0; i < exp && p < target; i++) {
            p *= base; // p < target <= 2^31 before, so no overflow
        }
        return p >= target;
    }

    /** Returns whether {@code base^exp <= target}, for {@code base >= 1}, {@code exp >= 0}. */
    private static boolean powAtMost(int base, int exp, long target) {
        return !powAtLeast(base, exp, target + 1);
    }

    // ================================================================== grids

    /**
     * Checks a grid's dimensions and returns its number of points.
     *
     * @param op the operation, for messages
     * @throws MpiException of class {@link ErrorClass#ARG} if an entry is less than 1 or the
     *         product exceeds {@link Integer#MAX_VALUE}
     */
    static int gridSize(String op, int[] dims) {
        Objects.requireNonNull(dims, "dims");
        long size = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 1) {
                throw new MpiException(ErrorClass.ARG, op + ": dims[" + i + "] = " + dims[i] + " is less than 1");
            }
            size *= dims[i];
            if (size > Integer.MAX_VALUE) {
                throw new MpiException(ErrorClass.ARG, op + ": the grid " + Arrays.toString(dims)
                        + " has more than Integer.MAX_VALUE points");
            }
        }
        return (int) size;
    }

    /**
     * Checks a grid's dimensions and periodicity and returns its number of points.
     *
     * @throws MpiException of class {@link ErrorClass#ARG} if {@code periods} and {@code dims}
     *         differ in length, or as {@link #gridSize} does
     */
    static int checkGrid(String op, int[] dims, boolean[] periods) {
        Objects.requireNonNull(dims, "dims");
        Objects.requireNonNull(periods, "periods");
        if (periods.length != dims.length) {
            throw new MpiException(ErrorClass.ARG, op + ": periods has length " + periods.length
                    + " but dims has length " + dims.length);
        }
        return gridSize(op, dims);
    }

    /**
     * Checks that a grid fits in a communicator of {@code size} ranks, as
     * {@code MPI_Cart_create} requires; ranks beyond the grid get no communicator.
     *
     * @throws MpiException of class {@link ErrorClass#ARG} if the grid has more points than
     *         {@code size}, or as {@link #gridSize} does
     */
    static void checkFits(int[] dims, int size) {
        int points = gridSize("cartCreate", dims);
        if (points > size) {
            throw new MpiException(ErrorClass.ARG, "cartCreate: the grid " + Arrays.toString(dims) + " has "
                    + points + " points, more than the " + size + " ranks of the communicator");
        }
    }

    /**
     * Returns the coordinates of {@code rank} in the grid ({@code MPI_Cart_coords}), in
     * row-major order: the last coordinate varies fastest.
     *
     * @throws MpiException of class {@link ErrorClass#RANK} if {@code rank} is not a point of the grid
     */
    static int[] coords(int rank, int[] dims) {
        checkRank("cartCoords", rank, gridSize("cartCoords", dims));
        return coordsOf(rank, dims);
    }

    /** The coordinates of {@code rank}, arguments checked. */
    private static int[] coordsOf(int rank, int[] dims) {
        int[] c = new int[dims.length];
        int r = rank;
        for (int i = dims.length - 1; i >= 0; i--) {
            c[i] = r % dims[i];
            r /= dims[i];
        }
        return c;
    }

    /**
     * Returns the rank at {@code coords} ({@code MPI_Cart_rank}). A coordinate of a periodic
     * dimension may be any int: it wraps ({@code -1} is the last).
     *
     * @throws MpiException of class {@link ErrorClass#RANK} if a coordinate of a non-periodic
     *         dimension is out of range; of class {@link ErrorClass#ARG} if {@code coords}
     *         has the wrong length, or the grid is invalid
     */
    static int rank(int[] coords, int[] dims, boolean[] periods) {
        Objects.requireNonNull(coords, "coords");
        checkGrid("cartRank", dims, periods);
        if (coords.length != dims.length) {
            throw new MpiException(ErrorClass.ARG, "cartRank: coords has length " + coords.length
                    + " but the grid has " + dims.length + " dimensions");
        }
        int r = 0;
        for (int i = 0; i < dims.length; i++) {
            int c = coords[i];
            if (c < 0 || c >= dims[i]) {
                if (!periods[i]) {
                    throw new MpiException(ErrorClass.RANK, "cartRank: coords[" + i + "] = " + c
                            + " is out of range for non-periodic dimension " + i + " (valid: 0.." + (dims[i] - 1) + ")");
                }
                c = Math.floorMod(c, dims[i]);
            }
            r = r * dims[i] + c; // below the grid size, which fits an int
        }
        return r;
    }

    /**
     * Returns the rank {@code disp} steps from {@code rank} along dimension {@code dim}, or
     * {@link Mpi#PROC_NULL} if that is past the edge of a non-periodic dimension.
     *
     * @throws MpiException of class {@link ErrorClass#RANK} if {@code rank} is not a point of
     *         the grid; of class {@link ErrorClass#ARG} if {@code dim} is not a dimension of it
     */
    static int shiftNeighbor(int rank, int dim, int disp, int[] dims, boolean[] periods) {
        int size = checkGrid("cartShift", dims, periods);
        checkRank("cartShift", rank, size);
        checkDim("cartShift", dim, dims.length);
        return neighbor(rank, dim, disp, dims, periods);
    }

    /**
     * Returns {@code {source, dest}} for a shift of {@code disp} along dimension {@code dim},
     * as {@code MPI_Cart_shift}: {@code dest} is {@code disp} steps ahead of {@code rank},
     * {@code source} {@code disp} steps behind, either {@link Mpi#PROC_NULL} past the edge
     * of a non-periodic dimension. So a {@code sendrecv} to {@code dest} from {@code source}
     * moves data {@code disp} steps along.
     *
     * @throws MpiException as {@link #shiftNeighbor} does
     */
    static int[] shift(int rank, int dim, int disp, int[] dims, boolean[] periods) {
        int size = checkGrid("cartShift", dims, periods);
        checkRank("cartShift", rank, size);
        checkDim("cartShift", dim, dims.length);
        return new int[] {neighbor(rank, dim, -(long) disp, dims, periods), neighbor(rank, dim, disp, dims, periods)};
    }

    /**
     * The neighbour {@code disp} steps along {@code dim}, arguments checked. Coordinates are
     * not computed in full: the stride of dimension {@code dim} in row-major order is the
     * product of the later dimensions, so only that digit of {@code rank} changes.
     */
    private static int neighbor(int rank, int dim, long disp, int[] dims, boolean[] periods) {
        int stride = 1;
        for (int i = dims.length - 1; i > dim; i--) {
            stride *= dims[i];
        }
        int c = rank / stride % dims[dim];
        long moved = c + disp;
        if (moved < 0 || moved >= dims[dim]) {
            if (!periods[dim]) {
                return Mpi.PROC_NULL;
            }
            moved = Math.floorMod(moved, (long) dims[dim]);
        }
        return rank + (int) (moved - c) * stride;
    }

    // ================================================================== sub-grids

    /**
     * Returns {@code {color, key}} for {@code rank}, such that splitting the Cartesian
     * communicator with them gives the communicators of {@code MPI_Cart_sub(remain)}: the
     * ranks that share their coordinates in the dropped dimensions ({@code remain[i]} false)
     * get the same color, the row-major index of those coordinates; the key is the rank's
     * row-major index in the kept dimensions, which is its rank in the sub-grid.
     *
     * <p>For a 2 x 3 grid and {@code remain = {false, true}} (keep the rows), rank 4 at
     * {1, 1} gets color 1 (row 1) and key 1 (column 1).
     *
     * @throws MpiException of class {@link ErrorClass#ARG} if {@code remain} and {@code dims}
     *         differ in length; of class {@link ErrorClass#RANK} if {@code rank} is not a
     *         point of the grid
     */
    static int[] subColorKey(int rank, int[] dims, boolean[] remain) {
        checkRank("cartSub", rank, checkRemain(dims, remain));
        int[] c = coordsOf(rank, dims);
        int color = 0;
        int key = 0;
        for (int i = 0; i < dims.length; i++) {
            if (remain[i]) {
                key = key * dims[i] + c[i];
            } else {
                color = color * dims[i] + c[i];
            }
        }
        return new int[] {color, key};
    }

    /**
     * Returns the dimensions of the sub-grids of {@code MPI_Cart_sub(remain)}: the entries
     * of {@code dims} whose {@code remain} entry is true, in order.
     *
     * @throws MpiException of class {@link ErrorClass#ARG} if the lengths differ or the grid is invalid
     */
    static int[] subDims(int[] dims, boolean[] remain) {
        checkRemain(dims, remain);
        int n = 0;
        int[] out = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (remain[i]) {
                out[n++] = dims[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * Returns the periodicity of the sub-grids of {@code MPI_Cart_sub(remain)}: the entries
     * of {@code periods} whose {@code remain} entry is true, in order.
     *
     * @throws MpiException of class {@link ErrorClass#ARG} if the lengths differ
     */
    static boolean[] subPeriods(boolean[] periods, boolean[] remain) {
        Objects.requireNonNull(periods, "periods");
        Objects.requireNonNull(remain, "remain");
        if (remain.length != periods.length) {
            throw new MpiException(ErrorClass.ARG, "cartSub: remain has length " + remain.length
                    + " but periods has length " + periods.length);
        }
        int n = 0;
        boolean[] out = new boolean[periods.length];
        for (int i = 0; i < periods.length; i++) {
            if (remain[i]) {
                out[n++] = periods[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    // ================================================================== checks

    /** Checks {@code dims} and {@code remain} and returns the grid's size. */
    private static int checkRemain(int[] dims, boolean[] remain) {
        Objects.requireNonNull(remain, "remain");
        int size = gridSize("cartSub", dims);
        if (remain.length != dims.length) {
            throw new MpiException(ErrorClass.ARG, "cartSub: remain has length " + remain.length
                    + " but the grid has " + dims.length + " dimensions");
        }
        return size;
    }

    private static void checkRank(String op, int rank, int size) {
        if (rank < 0 || rank >= size) {
            throw new MpiException(ErrorClass.RANK, op + ": rank " + rank + " is out of range for a grid of "
                    + size + " points (valid: 0.." + (size - 1) + ")");
        }
    }

    private static void checkDim(String op, int dim, int ndims) {
        if (dim < 0 || dim >= ndims) {
            throw new MpiException(ErrorClass.ARG, op + ": dim " + dim + " is out of range for a grid of "
                    + ndims + " dimensions" + (ndims == 0 ? "" : " (valid: 0.." + (ndims - 1) + ")"));
        }
    }
}
