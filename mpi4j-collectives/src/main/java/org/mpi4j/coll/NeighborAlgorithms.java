package org.mpi4j.coll;

import java.util.List;
import org.mpi4j.Buf;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.Neighborhood;

/** Neighbour collectives over point-to-point. (Being written.) */
final class NeighborAlgorithms {
    private NeighborAlgorithms() {
    }

    static void allgatherv(CommSpi coll, int tag, Buf send, Buf recv, int[] counts, int[] displs, Neighborhood hood) {
        throw new UnsupportedOperationException("neighbor collectives");
    }

    static void alltoallv(CommSpi coll, int tag, Buf send, int[] sendCounts, int[] sendDispls, Buf recv,
            int[] recvCounts, int[] recvDispls, Neighborhood hood) {
        throw new UnsupportedOperationException("neighbor collectives");
    }

    static List<Buf> allgatherAny(CommSpi coll, int tag, Buf mine, Neighborhood hood) {
        throw new UnsupportedOperationException("neighbor collectives");
    }

    static List<Buf> alltoallAny(CommSpi coll, int tag, List<Buf> parts, Neighborhood hood) {
        throw new UnsupportedOperationException("neighbor collectives");
    }
}
