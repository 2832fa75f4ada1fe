package org.mpi4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpi4j.Mpi;

class PointToPointTest {
    private static final String NUMBER = "-?\\d+\\.\\d+(e[-+]\\d+)?";

    @Test
    void oneRank_explainsAndEndsNormally() {
        List<List<String>> out = RankOutput.of(1, PointToPoint::run);

        assertEquals(List.of("Need at least 2 processes: this job has 1. Run with -n 2 or more."), out.get(0));
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 3, 4})
    void p2p_obj(int ranks) {
        List<List<String>> out = RankOutput.of(ranks, PointToPoint::run);

        List<String> rank0 = out.get(0);
        assertEquals(6, rank0.size(), () -> "rank 0 printed " + rank0);
        assertEquals("Process 0 sending: Payload[message=Hello World, array=[1, 2, 3, 4, 5], number=42]", rank0.get(0));
        assertEquals("Process 0 received response: Reply[processed=[2, 4, 6, 8, 10], status=success]", rank0.get(1));
        assertEquals("", rank0.get(2));
        assertEquals("--- Non-blocking Communication ---", rank0.get(3));
        assertEquals("Process 0: Doing other work while sending...", rank0.get(4));
        assertMatches("Process 0: Send completed, other work result: " + NUMBER, rank0.get(5));

        List<String> rank1 = out.get(1);
        assertEquals(3, rank1.size(), () -> "rank 1 printed " + rank1);
        assertEquals("Process 1 received: Payload[message=Hello World, array=[1, 2, 3, 4, 5], number=42]", rank1.get(0));
        assertEquals("Process 1: Doing other work while receiving...", rank1.get(1));
        assertMatches("Process 1: Received 1000 elements, other work: " + NUMBER, rank1.get(2));

        for (int r = 2; r < ranks; r++) {
            assertEquals(List.of(), out.get(r), "rank " + r + " takes no part");
        }
    }

    /** The seeded generators make every run print the same numbers. */
    @Test
    void p2p_obj_isRepeatable() {
        assertEquals(RankOutput.of(2, PointToPoint::run), RankOutput.of(2, PointToPoint::run));
    }

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {1, 2, 3})
    void main_runsOnEveryRank(int ranks) {
        Mpi.local(ranks).timeout(Duration.ofSeconds(60)).execute(world -> PointToPoint.main(new String[0]));
    }

    private static void assertMatches(String regex, String actual) {
        assertTrue(actual.matches(regex), () -> "expected /" + regex + "/ but was: " + actual);
    }
}
