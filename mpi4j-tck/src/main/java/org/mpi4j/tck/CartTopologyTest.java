package org.mpi4j.tck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.mpi4j.Buf;
import org.mpi4j.CartComm;
import org.mpi4j.Comm;
import org.mpi4j.Comparison;
import org.mpi4j.ErrorClass;
import org.mpi4j.Mpi;
import org.mpi4j.MpiException;
import org.mpi4j.junit.MpiTest;

/**
 * Cartesian topologies: dimsCreate, cartCreate in 0 to 3 dimensions with and without
 * periods, coordinates, ranks, shifts, sub-grids, dup, ranks outside the grid, and every
 * error a program can make.
 */
class CartTopologyTest {

    private static final int[] ALL = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16};

    /** The grids every rank count is tried with: (dims, periods), from dimsCreate and fixed small shapes. */
    static List<Object[]> grids(int n) {
        List<Object[]> g = new ArrayList<>();
        g.add(new Object[] {new int[] {n}, new boolean[] {true}});
        g.add(new Object[] {new int[] {n}, new boolean[] {false}});
        g.add(new Object[] {Mpi.dimsCreate(n, 2), new boolean[] {true, false}});
        g.add(new Object[] {Mpi.dimsCreate(n, 2), new boolean[] {true, true}});
        g.add(new Object[] {Mpi.dimsCreate(n, 2), new boolean[] {false, false}});
        g.add(new Object[] {Mpi.dimsCreate(n, 3), new boolean[] {false, true, true}});
        g.add(new Object[] {new int[] {1}, new boolean[] {true}});          // the rank is its own neighbour twice
        g.add(new Object[] {new int[] {1, 1}, new boolean[] {true, false}});
        g.add(new Object[] {new int[] {}, new boolean[] {}});              // 0 dimensions: one point
        if (n >= 2) {
            g.add(new Object[] {new int[] {2}, new boolean[] {true}});      // the same peer back and ahead
            g.add(new Object[] {new int[] {2, 1}, new boolean[] {true, true}});
            g.add(new Object[] {new int[] {1, 2}, new boolean[] {false, true}});
        }
        if (n >= 4) {
            g.add(new Object[] {new int[] {2, 2}, new boolean[] {true, true}});
            g.add(new Object[] {new int[] {2, 2}, new boolean[] {true, false}});
        }
        if (n >= 6) {
            g.add(new Object[] {new int[] {3, 2}, new boolean[] {false, true}});
            g.add(new Object[] {new int[] {2, 1, 3}, new boolean[] {true, true, false}});
        }
        if (n >= 8) {
            g.add(new Object[] {new int[] {2, 2, 2}, new boolean[] {true, true, true}});
        }
        return g;
    }

    static int points(int[] dims) {
        int p = 1;
        for (int d : dims) {
            p *= d;
        }
        return p;
    }

    // ================================================================== dimsCreate

    @Test
    void dimsCreateBalancesAndKeepsFixedEntries() {
        assertArrayEquals(new int[] {3, 2}, Mpi.dimsCreate(6, new int[2]));
        assertArrayEquals(new int[] {7, 1}, Mpi.dimsCreate(7, new int[2]));
        assertArrayEquals(new int[] {2, 3, 1}, Mpi.dimsCreate(6, new int[] {0, 3, 0}));
        assertArrayEquals(new int[] {4, 4}, Mpi.dimsCreate(16, 2));
        assertArrayEquals(new int[] {3, 3}, Mpi.dimsCreate(9, 2));
        assertArrayEquals(new int[] {2, 2, 2}, Mpi.dimsCreate(8, 3));
        assertArrayEquals(new int[] {9, 8, 5}, Mpi.dimsCreate(360, 3));
        assertArrayEquals(new int[] {1}, Mpi.dimsCreate(1, 1));
        assertArrayEquals(new int[] {}, Mpi.dimsCreate(1, 0));
        assertArrayEquals(new int[] {5, 4, 3}, Mpi.dimsCreate(60, new int[] {0, 4, 0}));
        assertArrayEquals(new int[] {2, 5}, Mpi.dimsCreate(10, new int[] {2, 5}));
        int[] given = {0, 0};
        Mpi.dimsCreate(12, given);
        assertArrayEquals(new int[] {0, 0}, given, "the argument is not modified");
    }

    @Test
    void dimsCreateErrorsAreNamed() {
        MpiException zero = assertThrows(MpiException.class, () -> Mpi.dimsCreate(0, new int[2]));
        assertEquals(ErrorClass.COUNT, zero.errorClass());
        MpiException negative = assertThrows(MpiException.class, () -> Mpi.dimsCreate(6, new int[] {0, -2}));
        assertEquals(ErrorClass.ARG, negative.errorClass());
        assertTrue(negative.getMessage().contains("dims[1] = -2"), negative.getMessage());
        MpiException indivisible = assertThrows(MpiException.class, () -> Mpi.dimsCreate(7, new int[] {2, 0}));
        assertEquals(ErrorClass.ARG, indivisible.errorClass());
        assertTrue(indivisible.getMessage().startsWith("dimsCreate: nnodes 7 is not a multiple of 2"),
                indivisible.getMessage());
        MpiException full = assertThrows(MpiException.class, () -> Mpi.dimsCreate(6, new int[] {2, 2}));
        assertEquals(ErrorClass.ARG, full.errorClass());
        assertThrows(MpiException.class, () -> Mpi.dimsCreate(4, -1));
        assertThrows(MpiException.class, () -> Mpi.dimsCreate(4, 0));
    }

    // ================================================================== creation and queries

    @MpiTest(ranks = {1, 2, 3, 4, 5, 6, 7, 8, 9, 16})
    void coordinatesRanksAndShiftsAgreeWithTheModel(Comm world) {
        int n = world.size();
        for (Object[] g : grids(n)) {
            int[] dims = (int[]) g[0];
            boolean[] periods = (boolean[]) g[1];
            String label = java.util.Arrays.toString(dims) + java.util.Arrays.toString(periods);
            CartComm cart = world.cartCreate(dims, periods, false);
            if (world.rank() >= points(dims)) {
                assertNull(cart, label + ": rank " + world.rank() + " is outside the grid");
                continue;
            }
            assertNotNull(cart, label);
            assertEquals(points(dims), cart.size(), label);
            assertEquals(world.rank(), cart.rank(), label + ": the pure-Java engines keep the order");
            assertEquals(dims.length, cart.ndims());
            assertArrayEquals(dims, cart.dims());
            assertArrayEquals(periods, cart.periods());
            assertArrayEquals(TopoReference.coordsOf(cart.rank(), dims), cart.coords(), label);
            for (int r = 0; r < cart.size(); r++) {
                int[] c = cart.coords(r);
                assertArrayEquals(TopoReference.coordsOf(r, dims), c, label + " coords(" + r + ")");
                assertEquals(r, cart.rank(c), label + " rank(coords(" + r + "))");
            }
            for (int d = 0; d < dims.length; d++) {
                for (int disp : new int[] {1, -1, 2, 0, dims[d], dims[d] + 1}) {
                    CartComm.Shift s = cart.shift(d, disp);
                    assertEquals(TopoReference.step(cart.rank(), dims, periods, d, disp), s.dest(),
                            label + " shift(" + d + ", " + disp + ").dest");
                    assertEquals(TopoReference.step(cart.rank(), dims, periods, d, -disp), s.source(),
                            label + " shift(" + d + ", " + disp + ").source");
                }
            }
            assertArrayEquals(TopoReference.cartNeighbors(cart.rank(), dims, periods), cart.sources(), label);
            assertArrayEquals(TopoReference.cartNeighbors(cart.rank(), dims, periods), cart.destinations(), label);
            assertEquals(2 * dims.length, cart.indegree());
            assertEquals(2 * dims.length, cart.outdegree());
            // The grid really is a communicator: a shift by sendrecv moves every rank's number one step ahead.
            if (dims.length > 0) {
                CartComm.Shift s = cart.shift(0, 1);
                int[] got = {-1};
                cart.sendrecv(Buf.of(new int[] {cart.rank()}), s.dest(), 4, Buf.of(got), s.source(), 4);
                assertEquals(s.source() == Mpi.PROC_NULL ? -1 : s.source(), got[0], label + " sendrecv");
            }
            cart.free();
        }
    }

    @MpiTest(ranks = {1, 3, 6})
    void periodicCoordinatesWrapAndOthersAreChecked(Comm world) {
        int n = world.size();
        CartComm cart = world.cartCreate(new int[] {n, 1}, new boolean[] {true, false}, true);
        assertEquals(n - 1, cart.rank(new int[] {-1, 0}));
        assertEquals(0, cart.rank(new int[] {n, 0}));
        assertEquals(1 % n, cart.rank(new int[] {1 + 5 * n, 0}));
        MpiException off = assertThrows(MpiException.class, () -> cart.rank(new int[] {0, 1}));
        assertEquals(ErrorClass.RANK, off.errorClass());
        assertTrue(off.getMessage().contains("coords[1] = 1 is out of range for non-periodic dimension 1"),
                off.getMessage());
        MpiException neg = assertThrows(MpiException.class, () -> cart.rank(new int[] {0, -1}));
        assertEquals(ErrorClass.RANK, neg.errorClass());
        MpiException len = assertThrows(MpiException.class, () -> cart.rank(new int[] {0}));
        assertEquals(ErrorClass.ARG, len.errorClass());
        MpiException who = assertThrows(MpiException.class, () -> cart.coords(n));
        assertEquals(ErrorClass.RANK, who.errorClass());
        MpiException dir = assertThrows(MpiException.class, () -> cart.shift(2, 1));
        assertEquals(ErrorClass.ARG, dir.errorClass());
        assertTrue(dir.getMessage().contains("dim 2 is out of range"), dir.getMessage());
        // A shift off a non-periodic edge is PROC_NULL, and messages to PROC_NULL vanish.
        CartComm.Shift edge = cart.shift(1, 1);
        assertEquals(new CartComm.Shift(Mpi.PROC_NULL, Mpi.PROC_NULL), edge);
        int[] untouched = {42};
        cart.sendrecv(Buf.of(new int[] {1}), edge.dest(), 0, Buf.of(untouched), edge.source(), 0);
        assertEquals(42, untouched[0]);
    }

    @MpiTest(ranks = {1, 2, 3, 5, 7, 9})
    void ranksOutsideTheGridGetNull(Comm world) {
        int n = world.size();
        int[] dims = Mpi.dimsCreate(Math.max(1, n - 1), 2);
        CartComm cart = world.cartCreate(dims, new boolean[] {false, true}, false);
        if (world.rank() < n - 1 || n == 1) {
            assertNotNull(cart);
            assertEquals(Math.max(1, n - 1), cart.size());
            // Only the grid's ranks take part in its collectives.
            List<Integer> everyone = cart.allgather(world.rank());
            assertEquals(cart.size(), everyone.size());
        } else {
            assertNull(cart);
        }
        world.barrier(); // and the parent is unaffected
    }

    @MpiTest(ranks = {1, 2, 4, 6, 8, 9, 16})
    void subGridsKeepTheChosenDimensions(Comm world) {
        int n = world.size();
        int[] dims = Mpi.dimsCreate(n, 3);
        boolean[] periods = {true, false, true};
        CartComm cart = world.cartCreate(dims, periods, false);
        int[] me = cart.coords();
        for (int mask = 0; mask < 8; mask++) {
            boolean[] remain = {(mask & 4) != 0, (mask & 2) != 0, (mask & 1) != 0};
            CartComm sub = cart.sub(remain);
            List<Integer> keptDims = new ArrayList<>();
            List<Boolean> keptPeriods = new ArrayList<>();
            int subRank = 0;
            int expectedSize = 1;
            for (int d = 0; d < 3; d++) {
                if (remain[d]) {
                    keptDims.add(dims[d]);
                    keptPeriods.add(periods[d]);
                    subRank = subRank * dims[d] + me[d];
                    expectedSize *= dims[d];
                }
            }
            String label = "sub " + java.util.Arrays.toString(remain);
            assertEquals(expectedSize, sub.size(), label);
            assertEquals(subRank, sub.rank(), label);
            assertArrayEquals(keptDims.stream().mapToInt(Integer::intValue).toArray(), sub.dims(), label);
            boolean[] kp = new boolean[keptPeriods.size()];
            for (int i = 0; i < kp.length; i++) {
                kp[i] = keptPeriods.get(i);
            }
            assertArrayEquals(kp, sub.periods(), label);
            // The members of my sub-grid are exactly the ranks that share my dropped coordinates.
            List<int[]> coords = sub.allgather(me);
            for (int r = 0; r < coords.size(); r++) {
                for (int d = 0; d < 3; d++) {
                    if (!remain[d]) {
                        assertEquals(me[d], coords.get(r)[d], label + ": member " + r + " differs in dropped dim " + d);
                    }
                }
                assertArrayEquals(sub.coords(r), project(coords.get(r), remain), label + ": member " + r);
            }
            // A sub-grid has a context of its own.
            long sum = sub.allreduce((long) world.rank(), org.mpi4j.Op.SUM);
            long expected = 0;
            for (int[] c : coords) {
                expected += TopoReference.rankAt(c, dims, periods);
            }
            assertEquals(expected, sum, label);
            sub.free();
        }
    }

    private static int[] project(int[] coords, boolean[] remain) {
        List<Integer> kept = new ArrayList<>();
        for (int d = 0; d < coords.length; d++) {
            if (remain[d]) {
                kept.add(coords[d]);
            }
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }

    @MpiTest(ranks = {1, 2, 4, 7})
    void dupKeepsTheTopologyInANewContext(Comm world) {
        int n = world.size();
        CartComm cart = world.cartCreate(new int[] {n}, new boolean[] {true}, false);
        CartComm dup = cart.dup();
        assertInstanceOf(CartComm.class, dup);
        assertArrayEquals(cart.dims(), dup.dims());
        assertArrayEquals(cart.periods(), dup.periods());
        assertArrayEquals(cart.coords(), dup.coords());
        assertEquals(Comparison.CONGRUENT, cart.compare(dup));
        assertEquals(Comparison.CONGRUENT, world.compare(cart));
        CartComm.Shift s = dup.shift(0, 1);
        int got = dup.sendrecv(dup.rank(), s.dest(), 0, s.source(), 0);
        assertEquals(s.source(), got);
        dup.free();
        MpiException freed = assertThrows(MpiException.class, () -> dup.neighborAllgather(1));
        assertEquals(ErrorClass.COMM, freed.errorClass());
        assertTrue(freed.getMessage().contains("freed"), freed.getMessage());
        assertTrue(cart.toString().contains("dims [" + n + "]"), cart.toString());
    }

    // ================================================================== errors

    @MpiTest(ranks = {1, 2, 3, 4})
    void invalidGridsAreNamedOnEveryRank(Comm world) {
        int n = world.size();
        MpiException big = assertThrows(MpiException.class,
                () -> world.cartCreate(new int[] {n + 1}, new boolean[] {false}, false));
        assertEquals(ErrorClass.ARG, big.errorClass());
        assertTrue(big.getMessage().contains("has " + (n + 1) + " points, more than the " + n + " ranks"),
                big.getMessage());
        MpiException zero = assertThrows(MpiException.class,
                () -> world.cartCreate(new int[] {n, 0}, new boolean[] {false, false}, false));
        assertEquals(ErrorClass.ARG, zero.errorClass());
        assertTrue(zero.getMessage().contains("dims[1] = 0 is less than 1"), zero.getMessage());
        MpiException len = assertThrows(MpiException.class,
                () -> world.cartCreate(new int[] {n}, new boolean[] {false, true}, false));
        assertEquals(ErrorClass.ARG, len.errorClass());
        assertTrue(len.getMessage().contains("periods has length 2 but dims has length 1"), len.getMessage());
        // After all that, creation still works: nobody was left behind in an exchange.
        CartComm ok = world.cartCreate(new int[] {n}, new boolean[] {false}, false);
        assertEquals(n, ok.size());
        CartComm cart = world.cartCreate(new int[] {1, n}, new boolean[] {false, false}, false);
        MpiException sub = assertThrows(MpiException.class, () -> cart.sub(new boolean[] {true}));
        assertEquals(ErrorClass.ARG, sub.errorClass());
        assertTrue(sub.getMessage().startsWith("cartSub: remain has length 1"), sub.getMessage());
    }

    @MpiTest(ranks = {2, 3, 5})
    void ranksThatDisagreeAllFailWithoutHanging(Comm world) {
        int n = world.size();
        // The last rank asks for another shape: every rank is told, none waits forever.
        int[] dims = world.rank() == n - 1 ? new int[] {1, n} : new int[] {n, 1};
        MpiException e = assertThrows(MpiException.class,
                () -> world.cartCreate(dims, new boolean[] {true, false}, false));
        assertEquals(ErrorClass.TOPOLOGY, e.errorClass());
        assertEquals("cartCreate: rank " + (n - 1) + " passed dims [1, " + n + "] and periods [true, false], but"
                + " rank 0 passed dims [" + n + ", 1] and periods [true, false]; every rank must pass the same dims"
                + " and periods", e.getMessage());
        // One rank's invalid arguments fail everyone, even when the others' are fine alone.
        int[] bad = world.rank() == 1 ? new int[] {-1} : new int[] {n};
        MpiException b = assertThrows(MpiException.class, () -> world.cartCreate(bad, new boolean[] {false}, false));
        assertEquals(ErrorClass.TOPOLOGY, b.errorClass());
        CartComm cart = world.cartCreate(new int[] {n, 1}, new boolean[] {false, false}, false);
        boolean[] remain = world.rank() == 0 ? new boolean[] {true, false} : new boolean[] {false, true};
        MpiException s = assertThrows(MpiException.class, () -> cart.sub(remain));
        assertEquals(ErrorClass.TOPOLOGY, s.errorClass());
        assertTrue(s.getMessage().startsWith("cartSub: rank 1 passed remainDims [false, true], but rank 0 passed"),
                s.getMessage());
        cart.barrier();
    }
}
