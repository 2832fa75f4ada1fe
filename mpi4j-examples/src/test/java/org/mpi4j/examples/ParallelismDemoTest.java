package org.mpi4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpi4j.Mpi;

class ParallelismDemoTest {
    private static final String TIME = "\\d+\\.\\d\\ds";
    /** sum of i * n for i below the loop length, in closed form. */
    private static final String CPU_RESULTS = Arrays.toString(IntStream.range(0, ParallelismDemo.TASKS)
            .mapToLong(n -> n * (ParallelismDemo.CPU_ITERATIONS * (ParallelismDemo.CPU_ITERATIONS - 1) / 2))
            .toArray());

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void allFourWays_giveTheSameResults(int ranks) {
        List<List<String>> out = RankOutput.of(ranks, (world, ps) -> ParallelismDemo.run(world, ps, 0.01));

        List<String> rank0 = out.get(0);
        assertEquals(7, rank0.size(), () -> "rank 0 printed " + rank0);
        assertEquals("=== One process ===", rank0.get(0));
        assertMatches("Sequential: " + TIME + ", Results: \\[0, 1, 4, 9\\]", rank0.get(1));
        assertMatches("Concurrent: " + TIME + ", Results: \\[0, 1, 4, 9\\]", rank0.get(2));
        assertMatches("Parallel \\(\\d+ cores?\\): " + TIME + ", Results: " + Pattern.quote(CPU_RESULTS), rank0.get(3));
        assertEquals("=== " + ranks + (ranks == 1 ? " rank" : " ranks") + " ===", rank0.get(4));
        assertMatches("Rank 0 computed tasks " + Pattern.quote(tasksOf(0, ranks)) + " in " + TIME, rank0.get(5));
        assertMatches("Distributed \\(" + ranks + " ranks?\\): " + TIME + ", Results: " + Pattern.quote(CPU_RESULTS),
                rank0.get(6));

        for (int r = 1; r < ranks; r++) {
            List<String> lines = out.get(r);
            assertEquals(1, lines.size(), "rank " + r + " printed " + lines);
            assertMatches("Rank " + r + " computed tasks " + Pattern.quote(tasksOf(r, ranks)) + " in " + TIME,
                    lines.get(0));
        }
    }

    /** Sleeping tasks overlap on virtual threads: four take about as long as one. */
    @Test
    void concurrent_overlapsTheSleeps() {
        List<String> rank0 = RankOutput.of(1, (world, ps) -> ParallelismDemo.run(world, ps, 0.2)).get(0);

        double sequential = seconds(rank0.get(1));
        double concurrent = seconds(rank0.get(2));
        assertTrue(sequential >= 0.79, () -> "four sleeps of 0.2 s took " + sequential + " s");
        assertTrue(concurrent < sequential / 2, () -> "concurrent " + concurrent + " s vs sequential " + sequential + " s");
    }

    @Test
    void main_runsOnEveryRank() {
        Mpi.local(3).timeout(Duration.ofSeconds(60)).execute(world -> ParallelismDemo.main(new String[] {"0.01"}));
    }

    @Test
    void parseSeconds_rejectsBadArguments() {
        assertEquals(0.5, ParallelismDemo.parseSeconds("0.5"));
        assertEquals("ParallelismDemo [secondsPerTask]: not a number: 'x'",
                assertThrows(IllegalArgumentException.class, () -> ParallelismDemo.parseSeconds("x")).getMessage());
        assertEquals("ParallelismDemo [secondsPerTask]: must be >= 0: -1",
                assertThrows(IllegalArgumentException.class, () -> ParallelismDemo.parseSeconds("-1")).getMessage());
    }

    private static String tasksOf(int rank, int ranks) {
        return Arrays.toString(IntStream.iterate(rank, n -> n < ParallelismDemo.TASKS, n -> n + ranks).toArray());
    }

    private static double seconds(String line) {
        Matcher m = Pattern.compile(": (\\d+\\.\\d\\d)s,").matcher(line);
        assertTrue(m.find(), () -> "no time in: " + line);
        return Double.parseDouble(m.group(1));
    }

    private static void assertMatches(String regex, String actual) {
        assertTrue(actual.matches(regex), () -> "expected /" + regex + "/ but was: " + actual);
    }
}
