package org.mpi4j.tools.apps;

import org.mpi4j.Mpi;

/** A Java 25 instance main method: each rank makes its own instance. */
public class InstanceMain {
    private int calls;

    void main() {
        try (Mpi mpi = Mpi.init()) {
            System.out.println("instance main on rank " + mpi.world().rank() + ", call " + ++calls);
        }
    }
}
