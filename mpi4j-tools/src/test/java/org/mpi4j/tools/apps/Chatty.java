package org.mpi4j.tools.apps;

import org.mpi4j.Mpi;

/**
 * Every rank prints many lines, each in several pieces, from its own thread and from a
 * thread it starts, and ends with an unfinished line.
 */
public final class Chatty {
    public static final int LINES = 200;

    public static void main(String[] args) throws InterruptedException {
        try (Mpi mpi = Mpi.init(args)) {
            int rank = mpi.world().rank();
            Thread helper = Thread.ofPlatform().start(() -> chat(rank, "helper"));
            chat(rank, "main");
            helper.join();
            System.err.println("rank " + rank + " to stderr");
            System.out.print("rank " + rank + " unfinished");
        }
    }

    private static void chat(int rank, String thread) {
        for (int i = 0; i < LINES; i++) {
            System.out.print("rank ");
            System.out.print(rank);
            System.out.print(" " + thread + " line ");
            System.out.println(i);
        }
    }
}
