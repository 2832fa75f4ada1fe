package org.mpi4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mpi4j.junit.NetnsHosts;
import org.mpi4j.tools.Mpi4jTest.Result;

/**
 * {@code mpi4j run --engine process} across hosts: two network namespaces play two hosts, so
 * ranks on one "host" share memory and ranks on different ones talk TCP over veth pairs.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MultiHostTest {
    private static NetnsHosts net;

    @BeforeAll
    static void makeHosts() throws IOException {
        String why = NetnsHosts.available();
        assumeTrue(why == null, why);
        net = NetnsHosts.create(2);
    }

    @AfterAll
    static void removeHosts() {
        if (net != null) {
            net.close();
        }
    }

    private static Result run(String... args) {
        String[] all = new String[args.length + 7];
        all[0] = "run";
        all[1] = "--engine";
        all[2] = "process";
        all[3] = "--launch-agent";
        all[4] = NetnsHosts.AGENT;
        all[5] = "-cp";
        all[6] = System.getProperty("java.class.path");
        System.arraycopy(args, 0, all, 7, args.length);
        return Mpi4jTest.mpi4j(all);
    }

    @Test
    void twoHostsTwoRanksEach() {
        List<String> h = net.hosts();
        Result r = run("-n", "4", "--host", h.get(0) + ":2," + h.get(1) + ":2", "--tag-output",
                "org.mpi4j.examples.HeatDiffusion");

        assertEquals(0, r.status(), r::toString);
        assertTrue(r.out().contains("Identical to the serial solver, bit for bit: yes"), r::toString);
    }

    @Test
    void aHostfileSpreadsRanksInOrder(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        List<String> h = net.hosts();
        Path hostfile = dir.resolve("hosts");
        Files.writeString(hostfile, "# two namespaces\n" + h.get(0) + " slots=1\n" + h.get(1) + " slots=2\n");
        Result r = run("-n", "3", "--hostfile", hostfile.toString(), "org.mpi4j.tools.apps.ShowsEnvironment");

        assertEquals(0, r.status(), r::toString);
        assertEquals(3, r.outLines().size(), r::toString);
    }

    @Test
    void aRankKilledOnAnotherHostFailsTheJobByName() {
        List<String> h = net.hosts();
        Result r = run("-n", "3", "--host", h.get(0) + ":2," + h.get(1) + ":1", "org.mpi4j.tools.apps.DiesHard");

        assertEquals(Mpi4j.EXIT_FAILED, r.status(), r::toString);
        assertTrue(r.err().contains("rank 1 of 3 failed"), r::toString);
        assertTrue(r.out().contains("rank 0 was told: the job was aborted: rank 1"), r::toString);
        assertTrue(r.out().contains("rank 2 was told: the job was aborted: rank 1"), r::toString);
    }
}
