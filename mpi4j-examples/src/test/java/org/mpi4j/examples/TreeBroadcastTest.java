package org.mpi4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.random.RandomGeneratorFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpi4j.Buf;
import org.mpi4j.Mpi;
import org.mpi4j.examples.TreeBroadcast.Tree;

class TreeBroadcastTest {

    /**
     * For every size and root, each tree is a spanning tree: the root has no parent, every
     * other rank is the child of exactly its parent, and the root reaches every rank.
     */
    @ParameterizedTest
    @EnumSource(Tree.class)
    void trees_spanEveryRankOnce(Tree tree) {
        for (int size = 1; size <= 16; size++) {
            for (int root = 0; root < size; root++) {
                String where = tree + ", size " + size + ", root " + root;
                assertEquals(-1, tree.parent(root, root, size), where);
                int[] timesChild = new int[size];
                for (int r = 0; r < size; r++) {
                    for (int c : tree.children(r, root, size)) {
                        assertTrue(c >= 0 && c < size && c != root, where + ": child " + c + " of " + r);
                        assertEquals(r, tree.parent(c, root, size), where + ": parent of " + c);
                        timesChild[c]++;
                    }
                }
                boolean[] reached = new boolean[size];
                Deque<Integer> todo = new ArrayDeque<>(List.of(root));
                while (!todo.isEmpty()) {
                    int r = todo.pop();
                    reached[r] = true;
                    todo.addAll(tree.children(r, root, size));
                }
                for (int r = 0; r < size; r++) {
                    assertEquals(r == root ? 0 : 1, timesChild[r], where + ": rank " + r + " is a child this often");
                    assertTrue(reached[r], where + ": rank " + r + " is reached");
                }
            }
        }
    }

    @Test
    void steps_asEachShapePromises() {
        for (int size = 1; size <= 16; size++) {
            assertEquals(size - 1, Tree.LINEAR.steps(size), "linear, size " + size);
            int log = 0;
            while ((1 << log) < size) {
                log++;
            }
            assertEquals(log, Tree.BINOMIAL.steps(size), "binomial, size " + size);
            // The seed's binary tree: a left child 2i + 1 gets the data one send after its
            // parent, a right child 2i + 2 two sends after.
            int[] when = new int[size];
            int last = 0;
            for (int v = 1; v < size; v++) {
                when[v] = when[(v - 1) / 2] + (v % 2 == 1 ? 1 : 2);
                last = Math.max(last, when[v]);
            }
            assertEquals(last, Tree.BINARY.steps(size), "binary, size " + size);
        }
        assertEquals(List.of(4, 2, 1), Tree.BINOMIAL.children(0, 0, 7), "farthest first");
        assertEquals(List.of(1, 2), Tree.BINARY.children(0, 0, 7));
        assertEquals(List.of(5, 6), Tree.BINARY.children(2, 0, 7));
    }

    /** Each hand-made broadcast delivers the root's object and the root's buffer to every rank. */
    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 4, 7, 16})
    void handMadeBroadcasts_deliverTheRootsData(int ranks) {
        double[] payload = RandomGeneratorFactory.of("L64X128MixRandom").create(ranks).doubles(1000).toArray();
        for (Tree tree : Tree.values()) {
            for (int root : new int[] {0, ranks / 2, ranks - 1}) {
                String message = "from " + root + " by " + tree;
                List<String> objects = Mpi.local(ranks).timeout(Duration.ofSeconds(60)).run(world ->
                        TreeBroadcast.bcast(world, tree, world.rank() == root ? message : null, root, 9, null));
                assertEquals(java.util.Collections.nCopies(ranks, message), objects, message);

                List<double[]> buffers = Mpi.local(ranks).timeout(Duration.ofSeconds(60)).run(world -> {
                    double[] data = world.rank() == root ? payload.clone() : new double[payload.length];
                    TreeBroadcast.bcast(world, tree, Buf.of(data), root, 9);
                    return data;
                });
                for (int r = 0; r < ranks; r++) {
                    assertArrayEquals(payload, buffers.get(r), message + ": rank " + r);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 4, 7})
    void run_printsTheSeedsTreeThenTheRace(int ranks) {
        List<List<String>> out = RankOutput.of(ranks, (world, ps) -> TreeBroadcast.run(world, ps, 5000));

        for (int r = 0; r < ranks; r++) {
            // The seed's tree: parent (r - 1) / 2, children 2r + 1 and 2r + 2.
            List<Integer> children = new ArrayList<>();
            for (int c = 2 * r + 1; c <= 2 * r + 2 && c < ranks; c++) {
                children.add(c);
            }
            List<String> expected = new ArrayList<>();
            if (r == 0) {
                expected.add("=== Tree Topology ===");
            }
            expected.add("Process " + r + ": parent=" + (r == 0 ? -1 : (r - 1) / 2) + ", children=" + children);
            if (r > 0) {
                expected.add("Process " + r + " received: Broadcast message from root");
            }
            for (int c : children) {
                expected.add(r == 0 ? "Root sent to child " + c : "Process " + r + " forwarded to child " + c);
            }
            List<String> lines = out.get(r);
            assertEquals(expected, lines.subList(0, Math.min(lines.size(), expected.size())), "rank " + r);
            if (r > 0) {
                assertEquals(expected.size(), lines.size(), () -> "rank prints only the seed's lines: " + lines);
                continue;
            }
            List<String> race = lines.subList(expected.size(), lines.size());
            assertEquals(8, race.size(), () -> "the race: " + race);
            assertEquals("", race.get(0));
            assertEquals("=== Hand-made trees vs comm.bcast: 5,000 doubles (40,000 bytes) from rank 0 to " + ranks
                    + (ranks == 1 ? " rank" : " ranks") + ", best of 5 ===", race.get(1));
            assertEquals("method                       root sends  steps  time (ms)", race.get(2));
            String[] names = {"linear (root sends to each)", "binary tree (the seed's)", "binomial tree", "comm.bcast"};
            Tree[] trees = {Tree.LINEAR, Tree.BINARY, Tree.BINOMIAL, null};
            for (int i = 0; i < 4; i++) {
                String[] cols = race.get(3 + i).substring(28).trim().split(" +");
                assertEquals(names[i], race.get(3 + i).substring(0, 28).trim());
                assertEquals(3, cols.length, race.get(3 + i));
                if (trees[i] != null) {
                    assertEquals(Integer.toString(trees[i].children(0, 0, ranks).size()), cols[0]);
                    assertEquals(Integer.toString(trees[i].steps(ranks)), cols[1]);
                } else {
                    assertEquals(List.of("-", "-"), Arrays.asList(cols).subList(0, 2));
                }
                assertTrue(cols[2].matches("\\d+\\.\\d{3}"), race.get(3 + i));
            }
            assertEquals("Every rank received the root's array by every method, every time: yes", race.get(7));
        }
    }

    @Test
    void main_runsOnEveryRank() {
        Mpi.local(3).timeout(Duration.ofSeconds(60)).execute(world -> TreeBroadcast.main(new String[] {"1000"}));
    }

    @Test
    void parseDoubles_rejectsBadArguments() {
        assertEquals(1_000, TreeBroadcast.parseDoubles("1_000"));
        assertEquals("TreeBroadcast [doubles]: not an integer: 'x'",
                assertThrows(IllegalArgumentException.class, () -> TreeBroadcast.parseDoubles("x")).getMessage());
        assertEquals("TreeBroadcast [doubles]: must be >= 0: -1",
                assertThrows(IllegalArgumentException.class, () -> TreeBroadcast.parseDoubles("-1")).getMessage());
    }
}
