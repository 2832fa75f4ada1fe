package org.mpi4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpi4j.Mpi;

class HelloMpiTest {

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3, 4})
    void hello_p2p_obj(int ranks) {
        List<List<String>> out = RankOutput.of(ranks, HelloMpi::run);

        for (int r = 0; r < ranks; r++) {
            List<String> expected = new ArrayList<>();
            expected.add("Hello from process " + r + " of " + ranks);
            if (ranks == 1) {
                expected.add("Process 0 has no process 1 to send to: run with -n 2 or more to see a message passed.");
            } else if (r == 0) {
                expected.add("Process 0 sent: Hello from process 0!");
            } else if (r == 1) {
                expected.add("Process 1 received: Hello from process 0!");
            }
            assertEquals(expected, out.get(r), "rank " + r + " of " + ranks);
        }
    }

    /** main joins the job through Mpi.init, which inside a local job returns that job's rank. */
    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 5})
    void main_runsOnEveryRank(int ranks) {
        Mpi.local(ranks).timeout(Duration.ofSeconds(60)).execute(world -> HelloMpi.main(new String[0]));
    }
}
