package org.mpi4j.tools.apps;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import org.mpi4j.Mpi;

/** Each rank prints the first line of its standard input: rank 0 gets the launcher's, the others none. */
public final class EchoesInput {
    private EchoesInput() {
    }

    /** Runs the program. */
    public static void main(String[] args) throws IOException {
        try (Mpi mpi = Mpi.init(args)) {
            String line = new BufferedReader(new InputStreamReader(System.in)).readLine();
            System.out.println("rank " + mpi.world().rank() + " read " + line);
        }
    }
}
