package org.mpi4j.engine.process;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * What a rank publishes at the rendezvous, and learns of every other: where it runs and how
 * to reach it.
 *
 * @param rank the rank
 * @param host the host's name, for messages and {@code processorName}
 * @param hostId what identifies the host for shared memory: ranks with equal ids share it
 * @param tcpHost the address the rank's TCP transport listens on
 * @param tcpPort the port it listens on
 * @param shmDir the directory of the job's shared-memory files on that host
 * @param pid the process id
 */
public record RankCard(int rank, String host, String hostId, String tcpHost, int tcpPort, String shmDir, long pid) {

    void write(DataOutputStream out) throws IOException {
        out.writeInt(rank);
        Control.writeString(out, host);
        Control.writeString(out, hostId);
        Control.writeString(out, tcpHost);
        out.writeInt(tcpPort);
        Control.writeString(out, shmDir);
        out.writeLong(pid);
    }

    static RankCard read(DataInputStream in) throws IOException {
        return new RankCard(in.readInt(), Control.readString(in), Control.readString(in), Control.readString(in),
                in.readInt(), Control.readString(in), in.readLong());
    }
}
