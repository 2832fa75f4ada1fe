package org.mpi4j.tools.apps;

import java.util.Arrays;
import org.mpi4j.Mpi;

/** Prints its rank and arguments, then changes its arguments (which must not affect other ranks). */
public final class EchoArgs {
    public static void main(String[] args) {
        try (Mpi mpi = Mpi.init(args)) {
            System.out.println("rank " + mpi.world().rank() + " of " + mpi.world().size() + " args " + Arrays.toString(args)
                    + " engine " + mpi.engine());
            if (args.length > 0) {
                args[0] = "changed";
            }
        }
    }
}
