package org.mpi4j.tools.apps;

/** A class without a main method. */
public final class NoMain {
    public static void notMain(String[] args) {
    }
}
