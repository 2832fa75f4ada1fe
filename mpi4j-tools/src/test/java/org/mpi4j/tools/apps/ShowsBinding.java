package org.mpi4j.tools.apps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mpi4j.Mpi;

/** Prints the CPUs its rank may run on, as the kernel says (Cpus_allowed_list). */
public final class ShowsBinding {
    private ShowsBinding() {
    }

    /** Runs the program. */
    public static void main(String[] args) throws IOException {
        try (Mpi mpi = Mpi.init(args)) {
            String cpus = Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Cpus_allowed_list:")).map(l -> l.substring(18).trim()).findFirst()
                    .orElse("?");
            System.out.println("rank " + mpi.world().rank() + " cpus " + cpus);
        }
    }
}
