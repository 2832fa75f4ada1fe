package org.mpi4j;

import java.util.Arrays;
import org.mpi4j.spi.CommSpi;
import org.mpi4j.spi.Neighborhood;
import org.mpi4j.spi.RankSpi;

/**
 * A communicator whose ranks form a Cartesian grid: MPI's Cartesian topology (MPI 4.1
 * §8.5.1). Made by {@link Comm#cartCreate}, usually with dimensions from
 * {@link Mpi#dimsCreate}:
 *
 * <pre>{@code
 * int[] dims = Mpi.dimsCreate(world.size(), 2);                // 6 ranks: {3, 2}
 * CartComm grid = world.cartCreate(dims, new boolean[] {false, true}, false);
 * int[] me = grid.coords();                                    // rank 3: {1, 1}
 * CartComm.Shift rows = grid.shift(0, 1);                      // up and down neighbours
 * grid.sendrecv(Buf.of(bottomRow), rows.dest(), 0, Buf.of(haloAbove), rows.source(), 0);
 * }</pre>
 *
 * <p>Ranks are numbered in row-major order, as in MPI: the last coordinate varies fastest,
 * so in a 3 x 2 grid rank {@code r} is at {@code {r / 2, r % 2}}. A periodic dimension wraps
 * around; one step past the edge of a non-periodic dimension there is no neighbour
 * ({@link Mpi#PROC_NULL}), and sends and receives there complete at once and move nothing,
 * so halo exchanges need no special case at the edges.
 *
 * <p>The neighbours of the {@link TopoComm neighbour collectives} are, for each dimension
 * in order, the rank one step back and the rank one step ahead.
 *
 * <p>Coordinates and shifts are local computations; {@link #sub} and {@link #dup} are
 * collective.
 */
public final class CartComm extends TopoComm {
    private final int[] dims;
    private final boolean[] periods;
    private final int[] coords;

    /**
     * What {@link #shift} returns: the neighbour {@code disp} steps back ({@code source}) and
     * {@code disp} steps ahead ({@code dest}) along one dimension, either
     * {@link Mpi#PROC_NULL} past the edge of a non-periodic dimension. A
     * {@code sendrecv(..., dest, ..., source, ...)} moves data {@code disp} steps ahead.
     *
     * @param source the rank to receive from: {@code disp} steps back, or PROC_NULL
     * @param dest the rank to send to: {@code disp} steps ahead, or PROC_NULL
     */
    public record Shift(int source, int dest) {
    }

    CartComm(RankSpi rankSpi, CommSpi spi, int[] dims, boolean[] periods) {
        super(rankSpi, spi, neighborhood(spi.rank(), dims, periods));
        this.dims = dims;
        this.periods = periods;
        this.coords = CartesianMath.coords(spi.rank(), dims);
    }

    /**
     * The neighbours of {@code rank}: for each dimension d, back then ahead, as sources and as
     * destinations. What a rank sends ahead (its block 2d + 1) is what the rank ahead
     * receives from the one behind (its slot 2d), and vice versa: pairing 2d ↔ 2d + 1.
     */
    private static Neighborhood neighborhood(int rank, int[] dims, boolean[] periods) {
        int[] near = new int[2 * dims.length];
        int[] pairing = new int[near.length];
        for (int d = 0; d < dims.length; d++) {
            int[] sd = CartesianMath.shift(rank, d, 1, dims, periods);
            near[2 * d] = sd[0];
            near[2 * d + 1] = sd[1];
            pairing[2 * d] = 2 * d + 1;
            pairing[2 * d + 1] = 2 * d;
        }
        return new Neighborhood(near, near.clone(), pairing);
    }

    /** Returns the number of dimensions of the grid ({@code MPI_Cartdim_get}); 0 for a grid of one point. */
    public int ndims() {
        return dims.length;
    }

    /** Returns the grid's extent in each dimension ({@code MPI_Cart_get}); a new array. */
    public int[] dims() {
        return dims.clone();
    }

    /** Returns whether each dimension is periodic (wraps around) ({@code MPI_Cart_get}); a new array. */
    public boolean[] periods() {
        return periods.clone();
    }

    /** Returns this rank's coordinates in the grid ({@code MPI_Cart_get}); a new array. */
    public int[] coords() {
        return coords.clone();
    }

    /**
     * Returns the coordinates of {@code rank} in the grid ({@code MPI_Cart_coords}).
     *
     * @throws MpiException of class {@link ErrorClass#RANK} if {@code rank} is not a rank of this communicator
     */
    public int[] coords(int rank) {
        return CartesianMath.coords(rank, dims);
    }

    /**
     * Returns the rank at {@code coords} ({@code MPI_Cart_rank}). A coordinate of a periodic
     * dimension may lie outside the grid: it wraps ({@code -1} is the last).
     *
     * @throws MpiException of class {@link ErrorClass#RANK} if a coordinate of a non-periodic
     *     dimension is outside {@code 0..dims[i]-1}; of class {@link ErrorClass#ARG} if
     *     {@code coords} does not have {@link #ndims()} entries
     */
    public int rank(int[] coords) {
        return CartesianMath.rank(coords, dims, periods);
    }

    /**
     * Returns the neighbours {@code disp} steps back and ahead of this rank along dimension
     * {@code direction} ({@code MPI_Cart_shift}); {@link Mpi#PROC_NULL} past the edge of a
     * non-periodic dimension. A negative {@code disp} swaps the directions.
     *
     * @throws MpiException of class {@link ErrorClass#ARG} if {@code direction} is not a dimension of the grid
     */
    public Shift shift(int direction, int disp) {
        int[] sd = CartesianMath.shift(rank(), direction, disp, dims, periods);
        return new Shift(sd[0], sd[1]);
    }

    /**
     * Splits the grid into sub-grids that keep the dimensions whose {@code remainDims} entry
     * is true ({@code MPI_Cart_sub}): the ranks that share their coordinates in the dropped
     * dimensions form one sub-grid, numbered in row-major order of the kept ones, with their
     * periodicity. Keeping no dimension gives every rank a grid of its own, of 0 dimensions.
     * Collective: every rank passes the same {@code remainDims}.
     *
     * <p>In a 2 x 3 grid, {@code sub(new boolean[] {false, true})} gives each row its own
     * 1-D grid of 3 ranks.
     *
     * @throws MpiException of class {@link ErrorClass#ARG} if {@code remainDims} does not have
     *     {@link #ndims()} entries; of class {@link ErrorClass#TOPOLOGY} on every rank if the
     *     ranks pass different {@code remainDims}
     */
    public CartComm sub(boolean[] remainDims) {
        checkOpen("cartSub");
        return Topologies.sub(this, remainDims);
    }

    /** {@inheritDoc} */
    @Override
    public CartComm dup() {
        checkOpen("dup");
        return new CartComm(rankSpi, dupSpi(), dims, periods);
    }

    int[] dimsView() {
        return dims;
    }

    boolean[] periodsView() {
        return periods;
    }

    private void checkOpen(String op) {
        if (isFreed()) {
            throw new MpiException(ErrorClass.COMM, op + ": " + name() + " has been freed");
        }
    }

    @Override
    public String toString() {
        return "CartComm[" + name() + ", rank " + rank() + " of " + size() + " at " + Arrays.toString(coords)
                + ", dims " + Arrays.toString(dims) + ", periods " + Arrays.toString(periods) + "]";
    }
}
