package org.mpi4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mpi4j.tools.Mpi4jTest.Result;
import org.mpi4j.tools.bench.Osu;

/**
 * {@code mpi4j bench}: every OSU test runs and prints OSU's table — a title, a header and one
 * row per size with a positive figure — on the local engine (quick), with a few iterations;
 * the object variants, the machine-readable files and the process engine too. Timings
 * themselves are not checked here: they belong to the benchmark runs, not to a unit test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BenchTest {

    /** The data rows of OSU's table: the lines that start with a number. */
    private static List<double[]> rows(Result r) {
        return r.outLines().stream().filter(l -> !l.isBlank() && Character.isDigit(l.strip().charAt(0)))
                .map(l -> l.trim().split("\\s+")).map(p -> java.util.Arrays.stream(p).mapToDouble(Double::parseDouble)
                        .toArray()).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"latency", "bw", "bibw", "multi_lat", "bcast", "reduce", "allreduce", "allgather",
            "alltoall", "gather", "scatter", "reduce_scatter", "barrier"})
    void everyTestPrintsOsusTable(String test) {
        Result r = Mpi4jTest.mpi4j("bench", "--engine", "local", "-n", test.equals("multi_lat") ? "4" : "3", test,
                "-m", "1024", "-i", "20", "-x", "5", "--warmup-seconds", "0", "--quiet");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.outLines().getFirst().startsWith("# OSU-style MPI "), r::toString);
        assertTrue(r.outLines().get(1).startsWith("# "), r::toString);
        List<double[]> rows = rows(r);
        if (test.equals("barrier")) {
            assertEquals(1, rows.size(), r::toString);
            assertTrue(rows.getFirst()[0] > 0, r::toString);
            return;
        }
        boolean collective = !List.of("latency", "bw", "bibw", "multi_lat").contains(test);
        assertEquals(collective ? 11 : 12, rows.size(), r::toString); // 1..1024 (and 0 for point-to-point)
        for (double[] row : rows) {
            assertEquals(2, row.length, r::toString);
            assertTrue(row[1] > 0 || row[0] == 0, "a zero or negative figure: " + r);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"record", "map", "records"})
    void objectLatency(String kind) {
        Result r = Mpi4jTest.mpi4j("bench", "--engine", "local", "latency", "--objects", kind, "-m", "4:16", "-i", "40",
                "-x", "10", "--warmup-seconds", "0.1", "--quiet");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.outLines().getFirst().contains("objects: " + kind), r::toString);
        assertTrue(r.outLines().get(1).contains("Count"), r::toString);
        assertEquals(3, rows(r).size(), r::toString);
    }

    @Test
    void csvAndJsonBesideTheTable(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("out.csv");
        Path json = dir.resolve("out.json");
        Result r = Mpi4jTest.mpi4j("bench", "--engine", "local", "allreduce", "-m", "8:32", "-i", "10", "-x", "2",
                "--csv", csv.toString(), "--json", json.toString(), "--algorithm", "ring", "--warmup-seconds", "0",
                "--quiet");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.outLines().getFirst().contains("algorithm ring"), r::toString);
        List<String> lines = Files.readAllLines(csv);
        assertEquals("test,ranks,bytes,us", lines.getFirst());
        assertEquals(List.of("8", "16", "32"), lines.subList(1, lines.size()).stream().map(l -> l.split(",")[2]).toList());
        String j = Files.readString(json);
        assertTrue(j.startsWith("{\"test\": \"allreduce\", \"ranks\": 2, \"unit\": \"us\", \"rows\": [{\"bytes\": 8, "),
                j);
    }

    @Test
    void latencyOnTheProcessEngine() {
        Result r = Mpi4jTest.mpi4j("bench", "-cp", System.getProperty("java.class.path"), "latency", "-m", "8",
                "-i", "200", "-x", "50", "--warmup-seconds", "0.5", "--quiet");
        assertEquals(0, r.status(), r::toString);
        assertTrue(r.outLines().getFirst().contains("mpi4j process engine, 2 ranks"), r::toString);
        assertEquals(5, rows(r).size(), r::toString);
    }

    @Test
    void badCommandLinesSayWhatIsWrong() {
        Result none = Mpi4jTest.mpi4j("bench", "-n", "2");
        assertEquals(Mpi4j.EXIT_USAGE, none.status());
        assertTrue(none.err().contains("name a test: " + String.join(", ", Osu.TESTS)), none::toString);
        Result bad = Mpi4jTest.mpi4j("bench", "--engine", "local", "latency", "-m", "9:3");
        assertEquals(Mpi4j.EXIT_FAILED, bad.status(), bad::toString);
        assertTrue(bad.err().contains("-m 9:3: the smallest size is above the largest"), bad::toString);
        Result p2pAlgorithm = Mpi4jTest.mpi4j("bench", "--engine", "local", "latency", "--algorithm", "ring");
        assertEquals(Mpi4j.EXIT_FAILED, p2pAlgorithm.status(), p2pAlgorithm::toString);
        assertTrue(p2pAlgorithm.err().contains("--algorithm applies to collectives; latency is point-to-point"),
                p2pAlgorithm::toString);
        Result help = Mpi4jTest.mpi4j("bench", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("Tests: latency bw bibw multi_lat"), help::toString);
    }
}
