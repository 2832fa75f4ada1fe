package org.mpi4j.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;

/** Runs an example on a local job and returns what each rank printed, one list of lines per rank. */
final class RankOutput {
    /** An example's entry point that prints to a given stream. */
    @FunctionalInterface
    interface Body {
        void run(Comm world, PrintStream out) throws Exception;
    }

    private RankOutput() {
    }

    /** Returns the lines each rank printed, indexed by rank. */
    static List<List<String>> of(int ranks, Body body) {
        return Mpi.local(ranks).timeout(Duration.ofSeconds(60)).run(world -> {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (PrintStream out = new PrintStream(bytes, true, UTF_8)) {
                body.run(world, out);
            }
            return bytes.toString(UTF_8).lines().toList();
        });
    }
}
