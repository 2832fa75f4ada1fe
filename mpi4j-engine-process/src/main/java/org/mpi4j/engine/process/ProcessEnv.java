package org.mpi4j.engine.process;

/**
 * What the launcher tells a rank of the process engine, in its environment. Each is also
 * readable as a setting ({@code MPI4J_RANK} is {@code mpi4j.rank}), so a test can start a
 * rank by hand.
 */
public final class ProcessEnv {
    /** This process's rank. */
    public static final String RANK = "MPI4J_RANK";
    /** The number of ranks in the job. */
    public static final String SIZE = "MPI4J_SIZE";
    /** Where the launcher's rendezvous listens, as {@code host:port}. */
    public static final String RENDEZVOUS = "MPI4J_RENDEZVOUS";
    /** When "1", the job secret comes as the first line of standard input (ranks on other hosts). */
    public static final String SECRET_ON_STDIN = "MPI4J_SECRET_ON_STDIN";
    /** The job's id: names its shared-memory directory. */
    public static final String JOB_ID = "MPI4J_JOB_ID";

    private ProcessEnv() {
    }

    /** Returns the setting a variable is read as: {@code MPI4J_RANK} → {@code mpi4j.rank}. */
    static String setting(String variable) {
        return variable.toLowerCase(java.util.Locale.ROOT).replace('_', '.');
    }
}
