package org.mpi4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpi4j.Mpi;
import org.mpi4j.examples.HeatDiffusion.Exchange;

class HeatDiffusionTest {

    /** Rank counts and grids, most of which the process grid does not divide evenly. */
    static Stream<Arguments> problems() {
        List<Arguments> out = new ArrayList<>();
        for (int ranks : new int[] {1, 2, 3, 4, 6, 7, 9}) {
            for (int[] g : new int[][] {{10, 7, 25}, {13, 11, 40}, {20, 40, 60}}) {
                for (Exchange how : Exchange.values()) {
                    out.add(Arguments.of(ranks, g[0], g[1], g[2], how));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} ranks, {1} x {2}, {3} steps, {4}")
    @MethodSource("problems")
    void distributedEqualsSerialBitForBit(int ranks, int rows, int cols, int steps, Exchange how) {
        List<double[][]> grids = Mpi.local(ranks).timeout(Duration.ofSeconds(60))
                .run(world -> HeatDiffusion.solve(world, rows, cols, steps, how, null));
        double[][] serial = HeatDiffusion.solveSerial(rows, cols, steps);
        double[][] got = grids.get(0);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                assertEquals(Double.doubleToRawLongBits(serial[i][j]), Double.doubleToRawLongBits(got[i][j]),
                        "cell (" + i + ", " + j + "): serial " + serial[i][j] + ", distributed " + got[i][j]);
            }
        }
        for (int r = 1; r < ranks; r++) {
            assertNull(grids.get(r), "only rank 0 assembles the grid");
        }
    }

    @Test
    void theSerialSolverDiffusesAndConservesHeat() {
        double[][] start = HeatDiffusion.initialGrid(20, 40);
        double[][] end = HeatDiffusion.solveSerial(20, 40, 200);
        double before = HeatDiffusion.total(start);
        assertEquals(28 * 100.0 + 28 * 60.0, before);
        assertEquals(before, HeatDiffusion.total(end), 1e-9, "the insulated edge lets no heat out");
        double hottest = 0;
        double coldest = Double.MAX_VALUE;
        for (double[] row : end) {
            for (double v : row) {
                hottest = Math.max(hottest, v);
                coldest = Math.min(coldest, v);
            }
        }
        assertTrue(hottest < 100.0 && hottest > 0, "the hot square spreads: " + hottest);
        assertTrue(coldest >= 0.0, "no cell gets colder than the coldest start: " + coldest);
        assertNotEquals(start[5][5], end[5][5]);
        // A single step, by hand: the corner of the hot square loses to its two cold neighbours.
        double[][] one = HeatDiffusion.solveSerial(20, 40, 1);
        assertEquals(100.0 + 0.2 * ((0 - 100.0) + (100.0 - 100.0) + (0 - 100.0) + (100.0 - 100.0)), one[4][5]);
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 4, 6, 7, 9})
    void defaultRunPrintsTheLayoutTheProgressAndTheVerdict(int ranks) {
        List<List<String>> out = RankOutput.of(ranks, HeatDiffusion::run);
        int[] dims = Mpi.dimsCreate(ranks, 2);
        List<String> rank0 = out.get(0);
        assertEquals("Heat diffusion on a 20 x 40 grid, 40 steps, " + ranks + " ranks as a " + dims[0] + " x "
                + dims[1] + " Cartesian grid, halo exchange by neighbor alltoallv", rank0.get(0));
        assertTrue(rank0.get(1).startsWith("Rank 0 at (0, 0): rows 0-"), rank0.get(1));
        assertEquals("step   0: hottest cell 100.000000", rank0.get(2));
        assertTrue(rank0.contains("Total heat: 4480.000000 at the start, 4480.000000 at the end"), rank0::toString);
        assertEquals("Identical to the serial solver, bit for bit: yes", rank0.get(rank0.size() - 1));
        assertEquals("+" + "-".repeat(40) + "+", rank0.get(rank0.size() - 3));
        for (int r = 1; r < ranks; r++) {
            assertEquals(1, out.get(r).size(), "rank " + r + " prints its block only: " + out.get(r));
            assertTrue(out.get(r).get(0).startsWith("Rank " + r + " at ("), out.get(r).get(0));
        }
        // The progress lines are the same at every rank count: the maximum is exact.
        assertEquals(RankOutput.of(1, HeatDiffusion::run).get(0).subList(2, 8), rank0.subList(2, 8));
    }

    @Test
    void theLayoutNamesEachRanksBlockAndNeighbours() {
        List<List<String>> out = RankOutput.of(6, HeatDiffusion::run); // 3 x 2 ranks over 20 x 40 cells
        assertEquals("Rank 0 at (0, 0): rows 0-6, columns 0-19; neighbours up -, down 2, left -, right 1",
                out.get(0).get(1));
        assertEquals("Rank 3 at (1, 1): rows 7-13, columns 20-39; neighbours up 1, down 5, left 2, right -",
                out.get(3).get(0));
        assertEquals("Rank 5 at (2, 1): rows 14-19, columns 20-39; neighbours up 3, down -, left 4, right -",
                out.get(5).get(0));
    }

    @Test
    void aGridTooSmallForTheRanksIsExplained() {
        List<List<String>> out = RankOutput.of(7, (world, o) -> HeatDiffusion.run(world, o, 5, 40, 10, Exchange.SENDRECV));
        assertEquals(List.of("A 5 x 40 grid cannot be split over 7 ranks as 7 x 1: every rank needs at least one"
                + " cell. Use fewer ranks."), out.get(0));
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 3, 4})
    void main_runsOnEveryRank(int ranks) {
        Mpi.local(ranks).timeout(Duration.ofSeconds(60)).execute(world -> HeatDiffusion.main(new String[0]));
        Mpi.local(ranks).timeout(Duration.ofSeconds(60))
                .execute(world -> HeatDiffusion.main(new String[] {"12", "9", "15", "sendrecv"}));
    }
}
