package org.mpi4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.function.Executable;

/**
 * MPI's Cartesian arithmetic: {@code dimsCreate} against the standard's examples and a
 * brute-force search, coordinates, shifts and sub-grids on random grids, and every error path.
 * Randomized tests print their seed; {@code -Dmpi4j.test.seed=...} replays one.
 */
class CartesianMathTest {

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

    /** A random grid of 0 to 4 dimensions, each of 1 to 5 points. */
    private static int[] randomDims(Random rnd) {
        int[] dims = new int[rnd.nextInt(5)];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = 1 + rnd.nextInt(5);
        }
        return dims;
    }

    private static boolean[] randomFlags(Random rnd, int n) {
        boolean[] b = new boolean[n];
        for (int i = 0; i < n; i++) {
            b[i] = rnd.nextBoolean();
        }
        return b;
    }

    private static int product(int[] dims) {
        int p = 1;
        for (int d : dims) {
            p *= d;
        }
        return p;
    }

    // ================================================================== dimsCreate

    @Test
    void dimsCreateMatchesTheStandardsExamples() {
        assertArrayEquals(new int[] {3, 2}, CartesianMath.dimsCreate(6, new int[] {0, 0}));
        assertArrayEquals(new int[] {7, 1}, CartesianMath.dimsCreate(7, new int[] {0, 0}));
        assertArrayEquals(new int[] {2, 3, 1}, CartesianMath.dimsCreate(6, new int[] {0, 3, 0}));
        assertMpi(ErrorClass.ARG, "dimsCreate: nnodes 7 is not a multiple of 3, the product of the positive entries of [0, 3, 0]",
                () -> CartesianMath.dimsCreate(7, new int[] {0, 3, 0}));
    }

    @Test
    void dimsCreateIsBalancedWhereSimpleHeuristicsAreNot() {
        // Open MPI 4.1 answers {12, 6}, {10, 6, 6} and {5, 4, 1, 1} (a tie it breaks the other way)
        assertArrayEquals(new int[] {9, 8}, CartesianMath.dimsCreate(72, new int[] {0, 0}));
        assertArrayEquals(new int[] {9, 8, 5}, CartesianMath.dimsCreate(360, new int[] {0, 0, 0}));
        assertArrayEquals(new int[] {5, 2, 2, 1}, CartesianMath.dimsCreate(20, new int[] {0, 0, 0, 0}));
        assertArrayEquals(new int[] {5, 5, 4}, CartesianMath.dimsCreate(100, new int[] {0, 0, 0}));
        assertArrayEquals(new int[] {4, 4, 4}, CartesianMath.dimsCreate(64, new int[3]));
        assertArrayEquals(new int[] {1, 1, 1}, CartesianMath.dimsCreate(1, new int[3]));
        assertArrayEquals(new int[] {}, CartesianMath.dimsCreate(1, new int[0]));
    }

    @Test
    void dimsCreateKeepsFixedEntriesAndDoesNotModifyItsArgument() {
        int[] dims = {0, 2, 0, 1, 0};
        assertArrayEquals(new int[] {5, 2, 3, 1, 2}, CartesianMath.dimsCreate(60, dims));
        assertArrayEquals(new int[] {0, 2, 0, 1, 0}, dims);
        assertArrayEquals(new int[] {2, 3}, CartesianMath.dimsCreate(6, new int[] {2, 3}));
        assertArrayEquals(new int[] {4, 1, 1}, CartesianMath.dimsCreate(4, new int[] {4, 0, 0}));
    }

    /** Every non-increasing sequence of {@code k} factors of {@code n}, by plain recursion, no pruning. */
    private static void factorizations(int n, int k, int max, int[] prefix, int pos, List<int[]> out) {
        if (pos == k) {
            if (n == 1) {
                out.add(prefix.clone());
            }
            return;
        }
        for (int d = Math.min(n, max); d >= 1; d--) {
            if (n % d == 0) {
                prefix[pos] = d;
                factorizations(n / d, k, d, prefix, pos + 1, out);
            }
        }
    }

    /** The documented answer: least spread, then lexicographically smallest. */
    private static int[] bruteForce(int n, int k) {
        List<int[]> all = new ArrayList<>();
        factorizations(n, k, n, new int[k], 0, all);
        int[] best = null;
        for (int[] f : all) {
            int spread = f[0] - f[k - 1];
            if (best == null || spread < best[0] - best[k - 1]
                    || spread == best[0] - best[k - 1] && Arrays.compare(f, best) < 0) {
                best = f;
            }
        }
        return best;
    }

    private static void checkDimsCreate(int n, int k, String context) {
        int[] got = CartesianMath.dimsCreate(n, new int[k]);
        String ctx = context + ": dimsCreate(" + n + ", " + k + " zeros) = " + Arrays.toString(got);
        assertEquals(k, got.length, ctx);
        assertEquals(n, product(got), ctx);
        for (int i = 1; i < k; i++) {
            assertTrue(got[i - 1] >= got[i], ctx + " is not non-increasing");
        }
        int[] expected = bruteForce(n, k);
        assertEquals(expected[0] - expected[k - 1], got[0] - got[k - 1], ctx + " is less balanced than " + Arrays.toString(expected));
        assertArrayEquals(expected, got, ctx + " breaks the tie differently");
    }

    @Test
    void dimsCreateIsOptimalForAllSmallCases() {
        for (int n = 1; n <= 64; n++) {
            for (int k = 1; k <= 4; k++) {
                checkDimsCreate(n, k, "exhaustive");
            }
        }
    }

    @Test
    void dimsCreateIsOptimalForRandomLargerCases(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (int round = 0; round < 300; round++) {
            int n = 1 + rnd.nextInt(round < 200 ? 5000 : 100_000);
            int k = 1 + rnd.nextInt(round < 200 ? 6 : 4);
            checkDimsCreate(n, k, "seed " + seed + ", round " + round);
        }
        for (int n : new int[] {360, 720, 2160, 2520, 2880, 5040, 65536, 3 * 5 * 7 * 11 * 13}) {
            for (int k = 2; k <= 5; k++) {
                checkDimsCreate(n, k, "composite");
            }
        }
    }

    @Test
    void dimsCreateWithFixedEntriesFillsTheRestAsForTheQuotient(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (int round = 0; round < 500; round++) {
            int n = 1 + rnd.nextInt(200);
            int[] dims = new int[1 + rnd.nextInt(5)];
            int fixed = 1;
            for (int i = 0; i < dims.length; i++) {
                if (rnd.nextInt(3) == 0) {
                    dims[i] = 1 + rnd.nextInt(4);
                    fixed *= dims[i];
                }
            }
            int free = (int) Arrays.stream(dims).filter(d -> d == 0).count();
            String ctx = "seed " + seed + ", round " + round + ": dimsCreate(" + n + ", " + Arrays.toString(dims) + ")";
            if (n % fixed != 0 || free == 0 && n != fixed) {
                assertThrows(MpiException.class, () -> CartesianMath.dimsCreate(n, dims), ctx);
                continue;
            }
            int[] got = CartesianMath.dimsCreate(n, dims);
            int[] filled = free == 0 ? new int[0] : CartesianMath.dimsCreate(n / fixed, new int[free]);
            for (int i = 0, j = 0; i < dims.length; i++) {
                assertEquals(dims[i] == 0 ? filled[j++] : dims[i], got[i], ctx + " = " + Arrays.toString(got));
            }
        }
    }

    @Test
    void dimsCreateIsFastForLargeAndAwkwardInputs() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertArrayEquals(new int[] {Integer.MAX_VALUE, 1, 1}, CartesianMath.dimsCreate(Integer.MAX_VALUE, new int[3]));
            int[] twos = CartesianMath.dimsCreate(1 << 30, new int[40]);
            for (int i = 0; i < 40; i++) {
                assertEquals(i < 30 ? 2 : 1, twos[i], Arrays.toString(twos));
            }
            assertArrayEquals(new int[] {32768, 32768}, CartesianMath.dimsCreate(1 << 30, new int[2]));
            int[] ones = CartesianMath.dimsCreate(1, new int[100_000]);
            assertEquals(1, Arrays.stream(ones).max().orElseThrow());
            for (int k = 2; k <= 12; k++) {
                int[] got = CartesianMath.dimsCreate(735_134_400, new int[k]); // 1344 divisors
                assertEquals(735_134_400, product(got), Arrays.toString(got));
            }
            for (int k = 2; k <= 6; k++) {
                int[] got = CartesianMath.dimsCreate(2_095_133_040, new int[k]); // 1600 divisors
                assertEquals(2_095_133_040, product(got), Arrays.toString(got));
            }
        });
    }

    @Test
    void dimsCreateRejectsBadArguments() {
        assertMpi(ErrorClass.COUNT, "dimsCreate: nnodes < 1: 0", () -> CartesianMath.dimsCreate(0, new int[] {0}));
        assertMpi(ErrorClass.COUNT, "dimsCreate: nnodes < 1: -4", () -> CartesianMath.dimsCreate(-4, new int[] {0}));
        assertMpi(ErrorClass.ARG, "dimsCreate: dims[1] = -2 is negative (0 lets the call choose; a positive entry is kept)",
                () -> CartesianMath.dimsCreate(4, new int[] {0, -2}));
        assertMpi(ErrorClass.ARG, "dimsCreate: nnodes 6 is not a multiple of 4, the product of the positive entries of [4, 0]",
                () -> CartesianMath.dimsCreate(6, new int[] {4, 0}));
        assertMpi(ErrorClass.ARG, "dimsCreate: nnodes 6 is not a multiple of the product of the positive entries of "
                + "[65536, 65536, 0]", () -> CartesianMath.dimsCreate(6, new int[] {65536, 65536, 0}));
        assertMpi(ErrorClass.ARG, "dimsCreate: dims [2, 3] has no 0 entry to fill, and its product 6 is not nnodes 12",
                () -> CartesianMath.dimsCreate(12, new int[] {2, 3}));
        assertMpi(ErrorClass.ARG, "dimsCreate: dims [] has no 0 entry to fill, and its product 1 is not nnodes 2",
                () -> CartesianMath.dimsCreate(2, new int[0]));
        assertThrows(NullPointerException.class, () -> CartesianMath.dimsCreate(1, null));
    }

    // ================================================================== coordinates

    @Test
    void coordsAndRankRoundTripInRowMajorOrder(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (int round = 0; round < 300; round++) {
            int[] dims = randomDims(rnd);
            boolean[] periods = randomFlags(rnd, dims.length);
            String ctx = "seed " + seed + ", round " + round + ", dims " + Arrays.toString(dims) + ", periods " + Arrays.toString(periods);
            int[] expected = new int[dims.length]; // counts up like an odometer, last digit fastest
            for (int r = 0; r < product(dims); r++) {
                int[] c = CartesianMath.coords(r, dims);
                assertArrayEquals(expected, c, ctx + ", rank " + r);
                assertEquals(r, CartesianMath.rank(c, dims, periods), ctx);
                for (int i = expected.length - 1; i >= 0 && ++expected[i] == dims[i]; i--) {
                    expected[i] = 0;
                }
                // periodic coordinates wrap, by any multiple of the dimension, either way
                int[] wrapped = c.clone();
                for (int i = 0; i < dims.length; i++) {
                    if (periods[i]) {
                        wrapped[i] += dims[i] * (rnd.nextInt(7) - 3);
                    }
                }
                assertEquals(r, CartesianMath.rank(wrapped, dims, periods), ctx + ", coords " + Arrays.toString(wrapped));
            }
        }
    }

    @Test
    void coordsExamples() {
        int[] dims = {2, 3};
        assertArrayEquals(new int[] {1, 1}, CartesianMath.coords(4, dims));
        assertArrayEquals(new int[] {0, 2}, CartesianMath.coords(2, dims));
        assertEquals(5, CartesianMath.rank(new int[] {-1, -1}, dims, new boolean[] {true, true}));
        assertEquals(0, CartesianMath.rank(new int[] {Integer.MIN_VALUE, 3 * 1000}, new int[] {2, 3}, new boolean[] {true, true}));
        assertEquals(0, CartesianMath.rank(new int[0], new int[0], new boolean[0]));
        assertArrayEquals(new int[0], CartesianMath.coords(0, new int[0]));
    }

    @Test
    void coordsAndRankRejectBadArguments() {
        int[] dims = {2, 3};
        boolean[] periods = {true, false};
        assertMpi(ErrorClass.RANK, "cartRank: coords[1] = 3 is out of range for non-periodic dimension 1 (valid: 0..2)",
                () -> CartesianMath.rank(new int[] {0, 3}, dims, periods));
        assertMpi(ErrorClass.RANK, "cartRank: coords[1] = -1 is out of range for non-periodic dimension 1 (valid: 0..2)",
                () -> CartesianMath.rank(new int[] {5, -1}, dims, periods));
        assertMpi(ErrorClass.ARG, "cartRank: coords has length 3 but the grid has 2 dimensions",
                () -> CartesianMath.rank(new int[] {0, 0, 0}, dims, periods));
        assertMpi(ErrorClass.ARG, "cartRank: periods has length 1 but dims has length 2",
                () -> CartesianMath.rank(new int[] {0, 0}, dims, new boolean[] {true}));
        assertMpi(ErrorClass.RANK, "cartCoords: rank 6 is out of range for a grid of 6 points (valid: 0..5)",
                () -> CartesianMath.coords(6, dims));
        assertMpi(ErrorClass.RANK, "cartCoords: rank -2 is out of range for a grid of 6 points (valid: 0..5)",
                () -> CartesianMath.coords(Mpi.PROC_NULL, dims));
        assertMpi(ErrorClass.ARG, "cartCoords: dims[1] = 0 is less than 1", () -> CartesianMath.coords(0, new int[] {2, 0}));
        assertMpi(ErrorClass.ARG, "cartCoords: the grid [65536, 65536] has more than Integer.MAX_VALUE points",
                () -> CartesianMath.coords(0, new int[] {65536, 65536}));
        assertThrows(NullPointerException.class, () -> CartesianMath.rank(null, dims, periods));
        assertThrows(NullPointerException.class, () -> CartesianMath.rank(new int[2], dims, null));
        assertThrows(NullPointerException.class, () -> CartesianMath.coords(0, null));
    }

    @Test
    void checkFitsComparesTheGridWithTheCommunicator() {
        CartesianMath.checkFits(new int[] {2, 3}, 6);
        CartesianMath.checkFits(new int[] {2, 3}, 8);
        CartesianMath.checkFits(new int[0], 1);
        assertMpi(ErrorClass.ARG, "cartCreate: the grid [2, 3] has 6 points, more than the 5 ranks of the communicator",
                () -> CartesianMath.checkFits(new int[] {2, 3}, 5));
        assertMpi(ErrorClass.ARG, "cartCreate: dims[0] = -1 is less than 1", () -> CartesianMath.checkFits(new int[] {-1}, 5));
        assertEquals(6, CartesianMath.checkGrid("cartCreate", new int[] {2, 3}, new boolean[2]));
    }

    // ================================================================== shifts

    /** The neighbour by coordinates: the obvious way. */
    private static int referenceNeighbor(int rank, int dim, long disp, int[] dims, boolean[] periods) {
        int[] c = CartesianMath.coords(rank, dims);
        long moved = c[dim] + disp;
        if (moved < 0 || moved >= dims[dim]) {
            if (!periods[dim]) {
                return Mpi.PROC_NULL;
            }
            moved = Math.floorMod(moved, (long) dims[dim]);
        }
        c[dim] = (int) moved;
        return CartesianMath.rank(c, dims, periods);
    }

    @Test
    void shiftMatchesTheReference(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (int round = 0; round < 300; round++) {
            int[] dims = randomDims(rnd);
            if (dims.length == 0) {
                continue;
            }
            boolean[] periods = randomFlags(rnd, dims.length);
            String ctx = "seed " + seed + ", round " + round + ", dims " + Arrays.toString(dims) + ", periods " + Arrays.toString(periods);
            for (int r = 0; r < product(dims); r++) {
                for (int dim = 0; dim < dims.length; dim++) {
                    for (int disp = -2 * dims[dim] - 1; disp <= 2 * dims[dim] + 1; disp++) {
                        String at = ctx + ", rank " + r + ", dim " + dim + ", disp " + disp;
                        int dest = referenceNeighbor(r, dim, disp, dims, periods);
                        int source = referenceNeighbor(r, dim, -disp, dims, periods);
                        assertEquals(dest, CartesianMath.shiftNeighbor(r, dim, disp, dims, periods), at);
                        assertArrayEquals(new int[] {source, dest}, CartesianMath.shift(r, dim, disp, dims, periods), at);
                    }
                }
            }
        }
    }

    @Test
    void shiftAtTheEdges() {
        int[] line = {4};
        boolean[] open = {false};
        boolean[] ring = {true};
        int p = Mpi.PROC_NULL;
        assertArrayEquals(new int[] {p, 1}, CartesianMath.shift(0, 0, 1, line, open));
        assertArrayEquals(new int[] {2, p}, CartesianMath.shift(3, 0, 1, line, open));
        assertArrayEquals(new int[] {1, p}, CartesianMath.shift(0, 0, -1, line, open));
        assertArrayEquals(new int[] {p, p}, CartesianMath.shift(1, 0, 4, line, open));
        assertArrayEquals(new int[] {1, 1}, CartesianMath.shift(1, 0, 0, line, open));
        assertArrayEquals(new int[] {3, 1}, CartesianMath.shift(0, 0, 1, line, ring));
        assertArrayEquals(new int[] {2, 0}, CartesianMath.shift(3, 0, 1, line, ring));
        assertArrayEquals(new int[] {1, 1}, CartesianMath.shift(1, 0, 4, line, ring));
        assertArrayEquals(new int[] {0, 0}, CartesianMath.shift(0, 0, 1, new int[] {1}, ring)); // a ring of one
        // a 3 x 4 grid, periodic in rows only: rank 5 is at {1, 1}
        int[] grid = {3, 4};
        boolean[] periods = {true, false};
        assertArrayEquals(new int[] {1, 9}, CartesianMath.shift(5, 0, 1, grid, periods));
        assertArrayEquals(new int[] {9, 1}, CartesianMath.shift(5, 0, 2, grid, periods));
        assertArrayEquals(new int[] {4, 6}, CartesianMath.shift(5, 1, 1, grid, periods));
        assertArrayEquals(new int[] {7, p}, CartesianMath.shift(5, 1, -2, grid, periods));
        // extreme displacements do not overflow
        assertArrayEquals(new int[] {p, p}, CartesianMath.shift(1, 0, Integer.MIN_VALUE, line, open));
        assertArrayEquals(new int[] {1, 1}, CartesianMath.shift(1, 0, Integer.MIN_VALUE, line, ring));
        assertArrayEquals(new int[] {2, 0}, CartesianMath.shift(1, 0, Integer.MAX_VALUE, line, ring));
        assertEquals(p, CartesianMath.shiftNeighbor(1, 0, Integer.MAX_VALUE, line, open));
    }

    @Test
    void shiftRejectsBadArguments() {
        int[] dims = {2, 3};
        boolean[] periods = {true, false};
        assertMpi(ErrorClass.ARG, "cartShift: dim 2 is out of range for a grid of 2 dimensions (valid: 0..1)",
                () -> CartesianMath.shift(0, 2, 1, dims, periods));
        assertMpi(ErrorClass.ARG, "cartShift: dim -1 is out of range for a grid of 2 dimensions (valid: 0..1)",
                () -> CartesianMath.shiftNeighbor(0, -1, 1, dims, periods));
        assertMpi(ErrorClass.ARG, "cartShift: dim 0 is out of range for a grid of 0 dimensions",
                () -> CartesianMath.shift(0, 0, 1, new int[0], new boolean[0]));
        assertMpi(ErrorClass.RANK, "cartShift: rank 6 is out of range for a grid of 6 points (valid: 0..5)",
                () -> CartesianMath.shift(6, 0, 1, dims, periods));
        assertMpi(ErrorClass.ARG, "cartShift: periods has length 3 but dims has length 2",
                () -> CartesianMath.shiftNeighbor(0, 0, 1, dims, new boolean[3]));
    }

    // ================================================================== sub-grids

    @Test
    void subColorKeyPartitionsTheGridAsCartSub(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (int round = 0; round < 300; round++) {
            int[] dims = randomDims(rnd);
            boolean[] remain = randomFlags(rnd, dims.length);
            String ctx = "seed " + seed + ", round " + round + ", dims " + Arrays.toString(dims) + ", remain " + Arrays.toString(remain);
            int[] subDims = CartesianMath.subDims(dims, remain);
            int subSize = product(subDims);
            int colors = product(dims) / subSize;

            // split(color, key): the ranks of one color, ordered by key (ties by old rank)
            Map<Integer, List<int[]>> byColor = new HashMap<>();
            for (int r = 0; r < product(dims); r++) {
                int[] ck = CartesianMath.subColorKey(r, dims, remain);
                byColor.computeIfAbsent(ck[0], c -> new ArrayList<>()).add(new int[] {ck[1], r});
            }
            assertEquals(colors, byColor.size(), ctx);
            for (Map.Entry<Integer, List<int[]>> e : byColor.entrySet()) {
                int color = e.getKey();
                assertTrue(color >= 0 && color < colors, ctx + ", color " + color);
                List<int[]> members = e.getValue();
                members.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]));
                assertEquals(subSize, members.size(), ctx + ", color " + color);
                int[] shared = null;
                for (int newRank = 0; newRank < members.size(); newRank++) {
                    assertEquals(newRank, members.get(newRank)[0], ctx + ": keys of color " + color + " are not 0..n-1");
                    int[] c = CartesianMath.coords(members.get(newRank)[1], dims);
                    int[] kept = new int[subDims.length];
                    int[] dropped = new int[dims.length - subDims.length];
                    for (int i = 0, k = 0, d = 0; i < dims.length; i++) {
                        if (remain[i]) {
                            kept[k++] = c[i];
                        } else {
                            dropped[d++] = c[i];
                        }
                    }
                    // the new rank's coordinates in the sub-grid are the kept coordinates
                    assertArrayEquals(kept, CartesianMath.coords(newRank, subDims), ctx);
                    // one color is one setting of the dropped coordinates, numbered row-major
                    if (shared == null) {
                        shared = dropped;
                        int[] droppedDims = new int[dropped.length];
                        for (int i = 0, d = 0; i < dims.length; i++) {
                            if (!remain[i]) {
                                droppedDims[d++] = dims[i];
                            }
                        }
                        assertEquals(color, CartesianMath.rank(dropped, droppedDims, new boolean[droppedDims.length]), ctx);
                    }
                    assertArrayEquals(shared, dropped, ctx + ", color " + color);
                }
            }
        }
    }

    @Test
    void subGridExamples() {
        int[] dims = {2, 3, 4};
        // keep the last two dimensions: two 3 x 4 planes
        assertArrayEquals(new int[] {3, 4}, CartesianMath.subDims(dims, new boolean[] {false, true, true}));
        assertArrayEquals(new int[] {1, 7}, CartesianMath.subColorKey(19, dims, new boolean[] {false, true, true}));
        // keep the first: twelve columns of 2; rank 19 is at {1, 1, 3}
        assertArrayEquals(new int[] {7, 1}, CartesianMath.subColorKey(19, dims, new boolean[] {true, false, false}));
        // keep none: every rank alone, in a grid of no dimensions
        assertArrayEquals(new int[] {19, 0}, CartesianMath.subColorKey(19, dims, new boolean[3]));
        assertArrayEquals(new int[0], CartesianMath.subDims(dims, new boolean[3]));
        // keep all: one grid, the same ranks
        assertArrayEquals(new int[] {0, 19}, CartesianMath.subColorKey(19, dims, new boolean[] {true, true, true}));
        assertArrayEquals(new boolean[] {true, false},
                CartesianMath.subPeriods(new boolean[] {true, true, false}, new boolean[] {true, false, true}));
    }

    @Test
    void subGridsRejectBadArguments() {
        int[] dims = {2, 3};
        assertMpi(ErrorClass.ARG, "cartSub: remain has length 3 but the grid has 2 dimensions",
                () -> CartesianMath.subColorKey(0, dims, new boolean[3]));
        assertMpi(ErrorClass.ARG, "cartSub: remain has length 1 but the grid has 2 dimensions",
                () -> CartesianMath.subDims(dims, new boolean[1]));
        assertMpi(ErrorClass.ARG, "cartSub: remain has length 1 but periods has length 2",
                () -> CartesianMath.subPeriods(new boolean[2], new boolean[1]));
        assertMpi(ErrorClass.RANK, "cartSub: rank 7 is out of range for a grid of 6 points (valid: 0..5)",
                () -> CartesianMath.subColorKey(7, dims, new boolean[2]));
        assertMpi(ErrorClass.ARG, "cartSub: dims[0] = 0 is less than 1",
                () -> CartesianMath.subDims(new int[] {0}, new boolean[1]));
        assertThrows(NullPointerException.class, () -> CartesianMath.subColorKey(0, dims, null));
    }
}
