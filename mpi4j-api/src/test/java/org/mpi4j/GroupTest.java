package org.mpi4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.function.Executable;

/**
 * Group operations against plain list-based reference implementations on random groups, and
 * every error path. Randomized tests print their seed; {@code -Dmpi4j.test.seed=...} replays one.
 */
class GroupTest {

    private static final int ROUNDS = 300;

    private static long seed(TestInfo info) {
        String set = System.getProperty("mpi4j.test.seed");
        long seed = set != null ? Long.parseLong(set) : System.nanoTime();
        System.out.println(info.getDisplayName() + ": seed " + seed + " (replay with -Dmpi4j.test.seed=" + seed + ")");
        return seed;
    }

    /**
     * A random group: compact world ranks (a dense lookup table) or spread ones (the sorted
     * index), in random order, possibly empty.
     */
    private static List<Integer> randomMembers(Random rnd) {
        int size = rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 60);
        int world = rnd.nextBoolean() ? size + rnd.nextInt(2 * size + 1) : Integer.MAX_VALUE;
        Set<Integer> chosen = new HashSet<>();
        while (chosen.size() < size) {
            chosen.add(rnd.nextInt(world));
        }
        List<Integer> out = new ArrayList<>(chosen);
        Collections.shuffle(out, rnd);
        return out;
    }

    /** A random group sharing some members with {@code base}. */
    private static List<Integer> overlapping(Random rnd, List<Integer> base) {
        Set<Integer> chosen = new HashSet<>();
        for (int m : base) {
            if (rnd.nextBoolean()) {
                chosen.add(m);
            }
        }
        chosen.addAll(randomMembers(rnd));
        List<Integer> out = new ArrayList<>(chosen);
        Collections.shuffle(out, rnd);
        return out;
    }

    private static int[] ints(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Group group(List<Integer> members) {
        return Group.of(ints(members));
    }

    private static void assertGroup(List<Integer> expected, Group actual, String context) {
        assertArrayEquals(ints(expected), actual.worldRanks(), context);
        assertEquals(expected.size(), actual.size(), context);
    }

    private static MpiException assertMpi(ErrorClass errorClass, String message, Executable call) {
        MpiException e = assertThrows(MpiException.class, call);
        assertEquals(message, e.getMessage());
        assertEquals(errorClass, e.errorClass(), message);
        return e;
    }

    // ================================================================== queries

    @Test
    void queriesMatchTheMemberList(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            List<Integer> m = randomMembers(rnd);
            Group g = group(m);
            String ctx = "seed " + seed + ", round " + round + ", " + g;
            assertGroup(m, g, ctx);
            for (int i = 0; i < m.size(); i++) {
                assertEquals(m.get(i), g.worldRank(i), ctx);
                assertEquals(i, g.rankOf(m.get(i)), ctx);
            }
            for (int probe = 0; probe < 20; probe++) {
                int w = probe < 5 ? probe - 3 : rnd.nextInt(probe < 10 ? 200 : Integer.MAX_VALUE);
                assertEquals(m.contains(w) ? m.indexOf(w) : Mpi.UNDEFINED, g.rankOf(w), ctx + ", world rank " + w);
            }
            assertEquals(Mpi.UNDEFINED, g.rankOf(Integer.MIN_VALUE), ctx);
            assertEquals(m.contains(Integer.MAX_VALUE) ? m.indexOf(Integer.MAX_VALUE) : Mpi.UNDEFINED,
                    g.rankOf(Integer.MAX_VALUE), ctx);
        }
    }

    @Test
    void isImmutable() {
        int[] ranks = {3, 1, 2};
        Group g = Group.of(ranks);
        ranks[0] = 9;
        assertArrayEquals(new int[] {3, 1, 2}, g.worldRanks());
        g.worldRanks()[1] = 7;
        assertArrayEquals(new int[] {3, 1, 2}, g.worldRanks());
        assertEquals(1, g.worldRank(1));
    }

    @Test
    void emptyGroup() {
        assertEquals(0, Group.EMPTY.size());
        assertArrayEquals(new int[0], Group.EMPTY.worldRanks());
        assertSame(Group.EMPTY, Group.of());
        assertEquals(Group.EMPTY, Group.of(1, 2).incl());
        assertEquals(Group.EMPTY, Group.of(1, 2).excl(1, 0));
        assertEquals(Group.EMPTY, Group.of(1, 2).rangeIncl());
        assertEquals(Mpi.UNDEFINED, Group.EMPTY.rankOf(0));
        assertEquals(Comparison.IDENT, Group.EMPTY.compare(Group.of()));
        assertEquals(Comparison.UNEQUAL, Group.EMPTY.compare(Group.of(0)));
        assertEquals("Group[]", Group.EMPTY.toString());
        assertArrayEquals(new int[] {Mpi.PROC_NULL}, Group.EMPTY.translateRanks(new int[] {Mpi.PROC_NULL}, Group.of(0)));
    }

    @Test
    void valueSemanticsAndToString() {
        assertEquals(Group.of(0, 2, 5), Group.of(0, 2, 5));
        assertEquals(Group.of(0, 2, 5).hashCode(), Group.of(0, 2, 5).hashCode());
        assertNotEquals(Group.of(0, 2, 5), Group.of(0, 5, 2));
        assertNotEquals(Group.of(0, 2, 5), Group.of(0, 2));
        assertNotEquals(Group.of(0), "Group[0]");
        assertEquals("Group[0, 2, 5]", Group.of(0, 2, 5).toString());
        int[] many = new int[100];
        for (int i = 0; i < many.length; i++) {
            many[i] = i;
        }
        String s = Group.of(many).toString();
        assertTrue(s.startsWith("Group[0, 1, 2, "), s);
        assertTrue(s.endsWith(", 63, ... 36 more]"), s);
    }

    // ================================================================== subsets

    @Test
    void inclAndExclMatchTheReference(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            List<Integer> m = randomMembers(rnd);
            Group g = group(m);
            List<Integer> ranks = new ArrayList<>();
            for (int i = 0; i < m.size(); i++) {
                ranks.add(i);
            }
            Collections.shuffle(ranks, rnd);
            List<Integer> chosen = ranks.subList(0, rnd.nextInt(m.size() + 1));
            String ctx = "seed " + seed + ", round " + round + ", " + g + ", ranks " + chosen;

            List<Integer> included = new ArrayList<>();
            for (int r : chosen) {
                included.add(m.get(r));
            }
            assertGroup(included, g.incl(ints(chosen)), ctx);

            List<Integer> excluded = new ArrayList<>();
            for (int i = 0; i < m.size(); i++) {
                if (!chosen.contains(i)) {
                    excluded.add(m.get(i));
                }
            }
            Group ex = g.excl(ints(chosen));
            assertGroup(excluded, ex, ctx);
            for (int i = 0; i < ex.size(); i++) {
                assertEquals(i, ex.rankOf(excluded.get(i)), ctx); // the result's own index is right
            }
        }
    }

    /** The standard's expansion: first + k * stride for k = 0 .. floor((last - first) / stride). */
    private static List<Integer> referenceExpand(int[][] ranges) {
        List<Integer> out = new ArrayList<>();
        for (int[] t : ranges) {
            long n = Math.floorDiv((long) t[1] - t[0], t[2]);
            for (long k = 0; k <= n; k++) {
                out.add((int) (t[0] + k * t[2]));
            }
        }
        return out;
    }

    private static int[] randomTriplet(Random rnd, int size) {
        int first = rnd.nextInt(size + 2) - 1;
        int last = rnd.nextInt(size + 2) - 1;
        int stride = rnd.nextInt(4) + 1;
        if (rnd.nextInt(20) == 0) {
            stride = 0;
        } else if (first > last || (first == last && rnd.nextBoolean())) {
            stride = -stride;
        }
        if (rnd.nextInt(20) == 0) {
            stride = -stride; // the wrong direction
        }
        return new int[] {first, last, stride};
    }

    @Test
    void rangeInclAndExclMatchTheReference(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        int valid = 0;
        for (int round = 0; round < 5 * ROUNDS; round++) {
            List<Integer> m = randomMembers(rnd);
            if (m.isEmpty()) {
                continue;
            }
            Group g = group(m);
            int[][] ranges = new int[rnd.nextInt(4)][];
            for (int i = 0; i < ranges.length; i++) {
                ranges[i] = randomTriplet(rnd, m.size());
            }
            StringBuilder desc = new StringBuilder();
            for (int[] t : ranges) {
                desc.append(Arrays.toString(t));
            }
            String ctx = "seed " + seed + ", round " + round + ", " + g + ", ranges " + desc;

            boolean ok = true;
            for (int[] t : ranges) {
                ok &= t[2] != 0 && (t[2] > 0 ? t[0] <= t[1] : t[0] >= t[1]);
            }
            List<Integer> ranks = ok ? referenceExpand(ranges) : List.of();
            ok &= ranks.stream().allMatch(r -> r >= 0 && r < m.size()) && new HashSet<>(ranks).size() == ranks.size();
            if (!ok) {
                assertThrows(MpiException.class, () -> g.rangeIncl(ranges), ctx);
                assertThrows(MpiException.class, () -> g.rangeExcl(ranges), ctx);
                continue;
            }
            valid++;
            assertEquals(g.incl(ints(ranks)), g.rangeIncl(ranges), ctx);
            assertEquals(g.excl(ints(ranks)), g.rangeExcl(ranges), ctx);
        }
        assertTrue(valid > ROUNDS / 2, "too few valid cases: " + valid);
    }

    @Test
    void rangesFollowTheStandardExamples() {
        Group g = Group.of(10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
        assertEquals(Group.of(10, 14, 18), g.rangeIncl(new int[] {0, 9, 4}));
        assertEquals(Group.of(19, 15, 11), g.rangeIncl(new int[] {9, 0, -4}));
        assertEquals(Group.of(11, 15, 19), g.rangeIncl(new int[] {1, 10, 4})); // last need not be a rank
        assertEquals(Group.of(10), g.rangeIncl(new int[] {0, Integer.MAX_VALUE - 1, Integer.MAX_VALUE}));
        assertEquals(Group.of(13), g.rangeIncl(new int[] {3, 3, -1}));
        assertEquals(Group.of(19, 10, 11), g.rangeIncl(new int[] {9, 9, 1}, new int[] {0, 1, 1}));
        assertEquals(Group.of(11, 12, 13, 15, 17, 19), g.rangeExcl(new int[] {0, 9, 4}, new int[] {6, 6, 1}));
        assertSame(g, g.rangeExcl());
    }

    // ================================================================== set operations

    @Test
    void setOperationsMatchTheReference(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            List<Integer> a = randomMembers(rnd);
            List<Integer> b = overlapping(rnd, a);
            Group ga = group(a);
            Group gb = group(b);
            String ctx = "seed " + seed + ", round " + round + ", " + ga + " and " + gb;

            List<Integer> union = new ArrayList<>(a);
            for (int x : b) {
                if (!a.contains(x)) {
                    union.add(x);
                }
            }
            List<Integer> inter = new ArrayList<>();
            List<Integer> diff = new ArrayList<>();
            for (int x : a) {
                (b.contains(x) ? inter : diff).add(x);
            }
            assertGroup(union, ga.union(gb), ctx);
            assertGroup(inter, ga.intersection(gb), ctx);
            assertGroup(diff, ga.difference(gb), ctx);
            assertEquals(ga, ga.union(ga), ctx);
            assertEquals(ga, ga.intersection(ga), ctx);
            assertEquals(Group.EMPTY, ga.difference(ga), ctx);
            assertEquals(ga, ga.union(Group.EMPTY), ctx);
            assertEquals(gb, Group.EMPTY.union(gb), ctx);
        }
    }

    // ================================================================== translation and comparison

    @Test
    void translateRanksMatchesTheReference(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            List<Integer> a = randomMembers(rnd);
            List<Integer> b = overlapping(rnd, a);
            Group ga = group(a);
            Group gb = group(b);
            int[] ranks = new int[rnd.nextInt(2 * a.size() + 2)];
            int[] expected = new int[ranks.length];
            for (int i = 0; i < ranks.length; i++) {
                if (a.isEmpty() || rnd.nextInt(8) == 0) {
                    ranks[i] = Mpi.PROC_NULL;
                    expected[i] = Mpi.PROC_NULL;
                } else {
                    ranks[i] = rnd.nextInt(a.size()); // repeats allowed
                    int w = a.get(ranks[i]);
                    expected[i] = b.contains(w) ? b.indexOf(w) : Mpi.UNDEFINED;
                }
            }
            String ctx = "seed " + seed + ", round " + round + ", " + ga + " to " + gb;
            assertArrayEquals(expected, ga.translateRanks(ranks, gb), ctx);
        }
    }

    @Test
    void compareMatchesTheReference(TestInfo info) {
        long seed = seed(info);
        Random rnd = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            List<Integer> a = randomMembers(rnd);
            Group ga = group(a);
            String ctx = "seed " + seed + ", round " + round + ", " + ga;
            assertEquals(Comparison.IDENT, ga.compare(group(a)), ctx);

            List<Integer> shuffled = new ArrayList<>(a);
            Collections.shuffle(shuffled, rnd);
            assertEquals(shuffled.equals(a) ? Comparison.IDENT : Comparison.SIMILAR, ga.compare(group(shuffled)), ctx);

            List<Integer> b = overlapping(rnd, a);
            Comparison expected = b.equals(a) ? Comparison.IDENT
                    : new HashSet<>(a).equals(new HashSet<>(b)) ? Comparison.SIMILAR : Comparison.UNEQUAL;
            assertEquals(expected, ga.compare(group(b)), ctx + " vs " + b);
            if (!a.isEmpty()) { // same size, one member replaced by a non-member
                List<Integer> replaced = new ArrayList<>(shuffled);
                replaced.set(rnd.nextInt(a.size()), Collections.max(a) + 1); // randomMembers stays below MAX_VALUE
                assertEquals(Comparison.UNEQUAL, ga.compare(group(replaced)), ctx + " vs " + replaced);
            }
        }
    }

    @Test
    void compareExamples() {
        assertEquals(Comparison.IDENT, Group.of(1, 2, 3).compare(Group.of(1, 2, 3)));
        assertEquals(Comparison.SIMILAR, Group.of(1, 2, 3).compare(Group.of(3, 1, 2)));
        assertEquals(Comparison.UNEQUAL, Group.of(1, 2, 3).compare(Group.of(1, 2, 4)));
        assertEquals(Comparison.UNEQUAL, Group.of(1, 2, 3).compare(Group.of(1, 2)));
        assertEquals(Comparison.UNEQUAL, Group.of(1, 2).compare(Group.of(1, 2, 3)));
    }

    // ================================================================== errors

    @Test
    void ofRejectsNegativeAndRepeatedWorldRanks() {
        assertMpi(ErrorClass.RANK, "Group.of: world rank -1 at worldRanks[2] is negative", () -> Group.of(0, 1, -1));
        assertMpi(ErrorClass.RANK, "Group.of: world rank -2 at worldRanks[0] is negative", () -> Group.of(Mpi.PROC_NULL));
        assertMpi(ErrorClass.RANK, "Group.of: world rank 5 appears twice, at worldRanks[1] and worldRanks[3]",
                () -> Group.of(0, 5, 2, 5));
        // spread world ranks use the sorted index instead of a table
        assertMpi(ErrorClass.RANK, "Group.of: world rank 2000000000 appears twice, at worldRanks[0] and worldRanks[2]",
                () -> Group.of(2_000_000_000, 7, 2_000_000_000));
        assertThrows(NullPointerException.class, () -> Group.of((int[]) null));
    }

    @Test
    void worldRankRejectsRanksOutOfRange() {
        Group g = Group.of(4, 5, 6);
        assertMpi(ErrorClass.RANK, "Group.worldRank: groupRank 3 is out of range for a group of size 3 (valid: 0..2)",
                () -> g.worldRank(3));
        assertMpi(ErrorClass.RANK, "Group.worldRank: groupRank -1 is out of range for a group of size 3 (valid: 0..2)",
                () -> g.worldRank(-1));
        assertMpi(ErrorClass.RANK, "Group.worldRank: groupRank 0 is out of range for a group of size 0 (no valid ranks)",
                () -> Group.EMPTY.worldRank(0));
    }

    @Test
    void inclAndExclRejectBadRanks() {
        Group g = Group.of(4, 5, 6, 7);
        assertMpi(ErrorClass.RANK, "Group.incl: ranks[1] = 4 is out of range for a group of size 4 (valid: 0..3)",
                () -> g.incl(0, 4));
        assertMpi(ErrorClass.RANK, "Group.incl: ranks[0] = -2 is out of range for a group of size 4 (valid: 0..3)",
                () -> g.incl(Mpi.PROC_NULL));
        assertMpi(ErrorClass.RANK, "Group.incl: rank 2 appears twice, at ranks[0] and ranks[2]",
                () -> g.incl(2, 1, 2));
        assertMpi(ErrorClass.RANK, "Group.excl: ranks[2] = 9 is out of range for a group of size 4 (valid: 0..3)",
                () -> g.excl(0, 1, 9));
        assertMpi(ErrorClass.RANK, "Group.excl: rank 3 appears twice, at ranks[0] and ranks[1]",
                () -> g.excl(3, 3));
        assertThrows(NullPointerException.class, () -> g.incl((int[]) null));
        assertThrows(NullPointerException.class, () -> g.excl((int[]) null));
    }

    @Test
    void rangesRejectMalformedTriplets() {
        Group g = Group.of(10, 11, 12, 13, 14, 15, 16, 17, 18, 19);
        assertMpi(ErrorClass.ARG, "Group.rangeIncl: ranges[0] has length 2, not 3 {first, last, stride}",
                () -> g.rangeIncl(new int[] {0, 1}));
        assertMpi(ErrorClass.ARG, "Group.rangeExcl: ranges[1] = {0, 5, 0} has stride 0",
                () -> g.rangeExcl(new int[] {9, 9, 1}, new int[] {0, 5, 0}));
        assertMpi(ErrorClass.ARG, "Group.rangeIncl: ranges[0] = {5, 0, 1} has first > last with a positive stride",
                () -> g.rangeIncl(new int[] {5, 0, 1}));
        assertMpi(ErrorClass.ARG, "Group.rangeIncl: ranges[0] = {0, 5, -1} has first < last with a negative stride",
                () -> g.rangeIncl(new int[] {0, 5, -1}));
        assertMpi(ErrorClass.RANK, "Group.rangeIncl: ranges[0] = {-1, 5, 1} produces rank -1, "
                + "out of range for a group of size 10 (valid: 0..9)", () -> g.rangeIncl(new int[] {-1, 5, 1}));
        assertMpi(ErrorClass.RANK, "Group.rangeIncl: ranges[0] = {0, 12, 3} produces rank 12, "
                + "out of range for a group of size 10 (valid: 0..9)", () -> g.rangeIncl(new int[] {0, 12, 3}));
        assertMpi(ErrorClass.RANK, "Group.rangeIncl: ranges[0] = {0, 2147483647, 1} produces rank 2147483647, "
                + "out of range for a group of size 10 (valid: 0..9)", () -> g.rangeIncl(new int[] {0, Integer.MAX_VALUE, 1}));
        assertMpi(ErrorClass.RANK, "Group.rangeExcl: ranges[0] = {3, -3, -3} produces rank -3, "
                + "out of range for a group of size 10 (valid: 0..9)", () -> g.rangeExcl(new int[] {3, -3, -3}));
        assertMpi(ErrorClass.RANK, "Group.rangeIncl: ranges[2] = {8, 2, -3} produces rank 5, already produced by ranges[0]",
                () -> g.rangeIncl(new int[] {1, 5, 2}, new int[] {9, 9, 1}, new int[] {8, 2, -3}));
        assertMpi(ErrorClass.RANK, "Group.rangeExcl: ranges[1] = {4, 4, 1} produces rank 4, already produced by ranges[0]",
                () -> g.rangeExcl(new int[] {0, 9, 1}, new int[] {4, 4, 1}));
        assertMpi(ErrorClass.RANK, "Group.rangeIncl: ranges[0] = {0, 0, 1} produces rank 0, "
                + "out of range for a group of size 0 (no valid ranks)", () -> Group.EMPTY.rangeIncl(new int[] {0, 0, 1}));
        assertThrows(NullPointerException.class, () -> g.rangeIncl((int[][]) null));
        assertThrows(NullPointerException.class, () -> g.rangeIncl(new int[] {0, 1, 1}, null));
    }

    @Test
    void translateRanksRejectsRanksOutOfRange() {
        Group g = Group.of(4, 5, 6);
        assertMpi(ErrorClass.RANK, "Group.translateRanks: ranks[1] = 3 is out of range for a group of size 3 "
                + "(valid: 0..2 or PROC_NULL)", () -> g.translateRanks(new int[] {0, 3}, Group.of(5)));
        assertMpi(ErrorClass.RANK, "Group.translateRanks: ranks[0] = -1 is out of range for a group of size 3 "
                + "(valid: 0..2 or PROC_NULL)", () -> g.translateRanks(new int[] {Mpi.ANY_SOURCE}, Group.of(5)));
        assertArrayEquals(new int[] {Mpi.UNDEFINED, 0, Mpi.PROC_NULL, 0},
                g.translateRanks(new int[] {0, 1, Mpi.PROC_NULL, 1}, Group.of(5)));
        assertThrows(NullPointerException.class, () -> g.translateRanks(null, g));
        assertThrows(NullPointerException.class, () -> g.translateRanks(new int[0], null));
    }

    @Test
    void setOperationsRejectNull() {
        Group g = Group.of(1);
        assertThrows(NullPointerException.class, () -> g.union(null));
        assertThrows(NullPointerException.class, () -> g.intersection(null));
        assertThrows(NullPointerException.class, () -> g.difference(null));
        assertThrows(NullPointerException.class, () -> g.compare(null));
    }
}
