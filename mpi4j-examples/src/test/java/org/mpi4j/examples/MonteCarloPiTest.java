package org.mpi4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import java.util.random.RandomGenerator.SplittableGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpi4j.Mpi;

class MonteCarloPiTest {
    /** Not divisible by 2, 3, 4 or 7, so every split has a remainder. */
    private static final long SAMPLES = 100_003;
    private static final long SEED = 42;
    private static final Pattern ROW = Pattern.compile(
            " *(\\d+) +(\\d+\\.\\d{3}) +(\\d+\\.\\d\\d) +(\\d+)% +(\\d\\.\\d{6})");

    /**
     * The serial reference: one loop over the streams of {@code ranks} ranks — the
     * (r + 1)-th split of an L64X128MixRandom seeded with {@code seed} — each drawing rank
     * r's share of the samples, ceil((samples - r) / ranks). Returns each rank's count.
     */
    private static long[] serialCounts(long samples, long seed, int ranks) {
        SplittableGenerator root = RandomGeneratorFactory.<SplittableGenerator>of("L64X128MixRandom").create(seed);
        long[] counts = new long[ranks];
        long drawn = 0;
        for (int r = 0; r < ranks; r++) {
            RandomGenerator stream = root.split();
            long share = (samples - r + ranks - 1) / ranks;
            for (long i = 0; i < share; i++) {
                double x = stream.nextDouble();
                double y = stream.nextDouble();
                if (x * x + y * y <= 1.0) {
                    counts[r]++;
                }
            }
            drawn += share;
        }
        assertEquals(samples, drawn, "the shares add up to the samples");
        return counts;
    }

    private static long total(long[] counts) {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    private static String pi(long inside, long samples) {
        return String.format(Locale.ROOT, "%.6f", 4.0 * inside / samples);
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 4, 7})
    void estimate_equalsSerialCountWithTheSameStreams(int ranks) {
        List<List<String>> out = RankOutput.of(ranks, (world, ps) -> MonteCarloPi.run(world, ps, SAMPLES, SEED));
        long[] counts = serialCounts(SAMPLES, SEED, ranks);

        for (int r = 0; r < ranks; r++) {
            List<String> lines = out.get(r);
            long share = (SAMPLES - r + ranks - 1) / ranks;
            assertEquals("Process " + r + ": Computing with " + share + " samples", lines.get(0));
            assertEquals("Process " + r + ": " + counts[r] + " points inside circle", lines.get(1));
            if (r > 0) {
                assertEquals(2, lines.size(), () -> "rank prints only its own two lines: " + lines);
            }
        }

        List<String> rank0 = out.get(0);
        long inside = total(counts);
        assertEquals("", rank0.get(2));
        assertEquals("=== Results ===", rank0.get(3));
        assertEquals("Total samples: 100,003", rank0.get(4));
        assertEquals(String.format(Locale.ROOT, "Points inside circle: %,d", inside), rank0.get(5));
        assertEquals("π estimate: " + pi(inside, SAMPLES), rank0.get(6));
        assertEquals("Actual π: 3.141593", rank0.get(7));
        assertEquals(String.format(Locale.ROOT, "Error: %.6f", Math.abs(4.0 * inside / SAMPLES - Math.PI)), rank0.get(8));
        assertMatches("Time \\(parallel\\): \\d+\\.\\d{3} seconds", rank0.get(9));
        assertEquals("Using " + ranks + (ranks == 1 ? " process" : " processes"), rank0.get(10));

        // The speedup table: one row per rank count 1, 2, 4, ... and the job's size, each
        // computing the same samples, so each row's estimate is the serial one at its count.
        List<Integer> ks = new ArrayList<>();
        for (int k = 1; k < ranks; k *= 2) {
            ks.add(k);
        }
        ks.add(ranks);
        assertEquals("", rank0.get(11));
        assertMatches("=== Speedup: the same 100,003 samples on .* best of 3 ===", rank0.get(12));
        assertEquals("ranks   time (s)   speedup   efficiency   π estimate", rank0.get(13));
        for (int i = 0; i < ks.size(); i++) {
            int k = ks.get(i);
            Matcher m = ROW.matcher(rank0.get(14 + i));
            assertTrue(m.matches(), "row " + i + ": " + rank0.get(14 + i));
            assertEquals(k, Integer.parseInt(m.group(1)));
            assertEquals(pi(total(serialCounts(SAMPLES, SEED, k)), SAMPLES), m.group(5), "estimate on " + k + " ranks");
        }
        assertEquals("1.00", ROW.matcher(rank0.get(14)).results().findFirst().orElseThrow().group(3),
                "T(1) / T(1)");
        assertMatches("speedup = T\\(1\\) / T\\(k\\), efficiency = speedup / k\\. This host has \\d+ cores?: .*",
                rank0.get(14 + ks.size()));
        assertEquals(15 + ks.size(), rank0.size(), () -> "rank 0 printed " + rank0);
    }

    @Test
    void speedupTable_listsItsRankCounts() {
        List<String> rank0 = RankOutput.of(5, (world, ps) -> MonteCarloPi.run(world, ps, 1000, SEED)).get(0);
        assertEquals("=== Speedup: the same 1,000 samples on 1, 2, 4 and 5 ranks, best of 3 ===", rank0.get(12));
        List<String> one = RankOutput.of(1, (world, ps) -> MonteCarloPi.run(world, ps, 1000, SEED)).get(0);
        assertEquals("=== Speedup: the same 1,000 samples on 1 rank, best of 3 ===", one.get(12));
    }

    /** The same seed gives the same counts on every run; another seed gives other counts. */
    @Test
    void seededStreams_areRepeatable() {
        List<List<String>> a = withoutTimes(RankOutput.of(3, (world, ps) -> MonteCarloPi.run(world, ps, SAMPLES, SEED)));
        List<List<String>> b = withoutTimes(RankOutput.of(3, (world, ps) -> MonteCarloPi.run(world, ps, SAMPLES, SEED)));
        List<List<String>> c = withoutTimes(RankOutput.of(3, (world, ps) -> MonteCarloPi.run(world, ps, SAMPLES, SEED + 1)));
        assertEquals(a, b);
        assertNotEquals(a.get(0).get(5), c.get(0).get(5), "another seed, another count");
    }

    /** Enough samples pin π down: the standard error of 4 million samples is about 0.0008. */
    @Test
    void estimate_isCloseToPi() {
        List<String> rank0 = RankOutput.of(4, (world, ps) -> MonteCarloPi.run(world, ps, 4_000_000, 7)).get(0);
        double estimate = Double.parseDouble(rank0.get(6).substring("π estimate: ".length()));
        assertEquals(Math.PI, estimate, 0.005);
    }

    /** Ranks draw from different streams: no two ranks find the same count on the same share. */
    @Test
    void ranks_drawDifferentStreams() {
        long[] counts = serialCounts(400_000, SEED, 4);
        assertEquals(4, java.util.Arrays.stream(counts).distinct().count(), () -> java.util.Arrays.toString(counts));
        List<List<String>> out = RankOutput.of(4, (world, ps) -> MonteCarloPi.run(world, ps, 400_000, SEED));
        for (int r = 0; r < 4; r++) {
            assertEquals("Process " + r + ": " + counts[r] + " points inside circle", out.get(r).get(1));
        }
    }

    @Test
    void shares_areBalanced() {
        assertEquals(List.of(4L, 3L, 3L), List.of(MonteCarloPi.share(10, 3, 0), MonteCarloPi.share(10, 3, 1),
                MonteCarloPi.share(10, 3, 2)));
        assertEquals(List.of(1, 2, 4, 7), MonteCarloPi.rankCounts(7));
        assertEquals(List.of(1, 2, 4, 8), MonteCarloPi.rankCounts(8));
        assertEquals(List.of(1), MonteCarloPi.rankCounts(1));
    }

    @Test
    void main_runsOnEveryRank() {
        Mpi.local(3).timeout(Duration.ofSeconds(60)).execute(world -> MonteCarloPi.main(new String[] {"1000", "5"}));
    }

    @Test
    void parseArguments_rejectsBadOnes() {
        assertEquals(1_000_000, MonteCarloPi.parseSamples("1_000_000"));
        assertEquals(-3, MonteCarloPi.parseSeed("-3"));
        assertEquals("MonteCarloPi [samples [seed]]: samples is not an integer: 'x'",
                assertThrows(IllegalArgumentException.class, () -> MonteCarloPi.parseSamples("x")).getMessage());
        assertEquals("MonteCarloPi [samples [seed]]: samples must be >= 1: 0",
                assertThrows(IllegalArgumentException.class, () -> MonteCarloPi.parseSamples("0")).getMessage());
        assertEquals("MonteCarloPi [samples [seed]]: seed is not an integer: '1.5'",
                assertThrows(IllegalArgumentException.class, () -> MonteCarloPi.parseSeed("1.5")).getMessage());
    }

    /** Drops the lines that hold times, and the time columns of the table. */
    private static List<List<String>> withoutTimes(List<List<String>> out) {
        return out.stream().map(lines -> lines.stream()
                .filter(l -> !l.startsWith("Time"))
                .map(l -> {
                    Matcher m = ROW.matcher(l);
                    return m.matches() ? m.group(1) + " " + m.group(5) : l;
                })
                .toList()).toList();
    }

    private static void assertMatches(String regex, String actual) {
        assertTrue(actual.matches(regex), () -> "expected /" + regex + "/ but was: " + actual);
    }
}
