package org.mpi4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpi4j.Mpi;

class RingTokenTest {

    /** Each rank's lines, with the route and the running sum the token has when it arrives. */
    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 4, 7, 16})
    void token_goesOnceAroundTheRing(int ranks) {
        List<List<String>> out = RankOutput.of(ranks, RingToken::run);

        // Serially: the route and the sum after each rank has added rank + 1.
        List<String> routes = new ArrayList<>();
        List<Long> sums = new ArrayList<>();
        String route = "Token from 0";
        long sum = 1;
        routes.add(route);
        sums.add(sum);
        for (int r = 1; r < ranks; r++) {
            route += " → " + r;
            sum += r + 1;
            routes.add(route);
            sums.add(sum);
        }
        assertEquals((long) ranks * (ranks + 1) / 2, sum);

        for (int r = 0; r < ranks; r++) {
            List<String> expected = new ArrayList<>();
            int left = (r + ranks - 1) % ranks;
            int right = (r + 1) % ranks;
            expected.add("Process " + r + ": neighbors " + left + " ← → " + right);
            if (r == 0) {
                expected.add("Process 0: Sent token to " + right);
                expected.add("Process 0: Received final token: " + route + " (sum " + sum + ")");
                expected.add("Process 0: allreduce of the same contributions: " + sum);
            } else {
                expected.add("Process " + r + ": Received token: " + routes.get(r - 1) + " (sum " + sums.get(r - 1) + ")");
                expected.add("Process " + r + ": Sent modified token to " + right);
            }
            assertEquals(expected, out.get(r), "rank " + r + " of " + ranks);
        }
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 3})
    void main_runsOnEveryRank(int ranks) {
        Mpi.local(ranks).timeout(Duration.ofSeconds(60)).execute(world -> RingToken.main(new String[0]));
    }
}
