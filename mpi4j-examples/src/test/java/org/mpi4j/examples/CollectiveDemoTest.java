package org.mpi4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mpi4j.Mpi;

class CollectiveDemoTest {
    private static final String SETUP =
            "Setup\\[Config\\[batchSize=32, learningRate=0\\.01\\], 100 weights, sum \\d+\\.\\d{6}\\]";

    /** Every rank's lines, computed serially: balanced chunks, their squares, and the sums. */
    @ParameterizedTest(name = "{0} ranks, {1} items")
    @CsvSource({"1, 20", "2, 20", "3, 20", "4, 20", "6, 20", "7, 20", "8, 20", "16, 20", "7, 5", "3, 0", "5, 23"})
    void collectives_matchSerialComputation(int ranks, int items) {
        List<List<String>> out = RankOutput.of(ranks, (world, ps) -> CollectiveDemo.run(world, ps, items));

        // The chunks, serially: rank r gets ceil((items - r) / ranks) consecutive items.
        List<int[]> chunks = new ArrayList<>();
        int next = 0;
        for (int r = 0; r < ranks; r++) {
            int length = Math.max(0, (items - r + ranks - 1) / ranks);
            chunks.add(IntStream.range(next, next + length).toArray());
            next += length;
        }
        assertEquals(items, next);
        String allSquares = Arrays.toString(LongStream.range(0, items).map(x -> x * x).toArray());
        int[] sum = new int[CollectiveDemo.REDUCE_LENGTH];
        for (int r = 0; r < ranks; r++) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += r + 1;
            }
        }

        String broadcast = out.get(0).get(1).substring("Process 0 broadcasting: ".length());
        assertTrue(broadcast.matches(SETUP), () -> "rank 0 broadcast " + out.get(0).get(1));
        for (int r = 0; r < ranks; r++) {
            List<String> expected = new ArrayList<>();
            if (r == 0) {
                expected.add("=== Broadcast Demo ===");
                expected.add("Process 0 broadcasting: " + broadcast);
            }
            expected.add("Process " + r + " received broadcast: " + broadcast);
            if (r == 0) {
                expected.add("");
                expected.add("=== Scatter/Gather Demo ===");
                expected.add("Process 0 scattering chunks: "
                        + chunks.stream().map(Arrays::toString).collect(Collectors.joining(", ", "[", "]")));
            }
            int[] chunk = chunks.get(r);
            expected.add("Process " + r + " received chunk: " + Arrays.toString(chunk));
            expected.add("Process " + r + " computed: "
                    + Arrays.toString(Arrays.stream(chunk).mapToLong(x -> (long) x * x).toArray()));
            if (r == 0) {
                expected.add("Process 0 gathered final results: " + allSquares);
                expected.add("");
                expected.add("=== Reduce Demo ===");
            }
            int[] mine = new int[CollectiveDemo.REDUCE_LENGTH];
            Arrays.fill(mine, r + 1);
            expected.add("Process " + r + " contributing: " + Arrays.toString(mine));
            if (r == 0) {
                expected.add("Process 0 - Final sum: " + Arrays.toString(sum));
            }
            expected.add("Process " + r + " - Allreduce result: " + Arrays.toString(sum));
            assertEquals(expected, out.get(r), "rank " + r + " of " + ranks);
        }
    }

    /** The broadcast weights come from a seeded generator: every run sends the same ones. */
    @Test
    void broadcast_isRepeatable() {
        assertEquals(RankOutput.of(3, (world, ps) -> CollectiveDemo.run(world, ps, 20)),
                RankOutput.of(3, (world, ps) -> CollectiveDemo.run(world, ps, 20)));
    }

    @Test
    void balancedChunks_differByAtMostOne_firstRanksLonger() {
        int[] data = IntStream.range(0, 10).toArray();
        List<int[]> chunks = CollectiveDemo.balancedChunks(data, 4);
        assertEquals(List.of("[0, 1, 2]", "[3, 4, 5]", "[6, 7]", "[8, 9]"),
                chunks.stream().map(Arrays::toString).toList());
        assertEquals(List.of("[0]", "[1]", "[]"),
                CollectiveDemo.balancedChunks(new int[] {0, 1}, 3).stream().map(Arrays::toString).toList());
    }

    @Test
    void main_runsOnEveryRank() {
        Mpi.local(3).timeout(Duration.ofSeconds(60)).execute(world -> CollectiveDemo.main(new String[] {"10"}));
    }

    @Test
    void parseItems_rejectsBadArguments() {
        assertEquals(7, CollectiveDemo.parseItems("7"));
        assertEquals("CollectiveDemo [items]: not an integer: 'x'",
                assertThrows(IllegalArgumentException.class, () -> CollectiveDemo.parseItems("x")).getMessage());
        assertEquals("CollectiveDemo [items]: must be >= 0: -1",
                assertThrows(IllegalArgumentException.class, () -> CollectiveDemo.parseItems("-1")).getMessage());
    }
}
