package org.mpi4j.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import org.mpi4j.Buf;
import org.mpi4j.CartComm;
import org.mpi4j.Comm;
import org.mpi4j.Mpi;
import org.mpi4j.Op;

/**
 * The seed's 2-D mesh heat diffusion ({@code network_patterns.py}, chapter 9,
 * {@code mesh_topology}) as a real stencil code: a grid of cells split into blocks over a
 * Cartesian grid of ranks, the blocks' edges exchanged with the neighbours every step (a
 * <em>halo exchange</em>), and a serial solver that the distributed result matches bit for
 * bit.
 *
 * <pre>
 * $ ./mpi4j run -n 4 org.mpi4j.examples.HeatDiffusion
 * Heat diffusion on a 20 x 40 grid, 40 steps, 4 ranks as a 2 x 2 Cartesian grid, halo exchange by neighbor alltoallv
 * Rank 0 at (0, 0): rows 0-9, columns 0-19; neighbours up -, down 2, left -, right 1
 * Rank 1 at (0, 1): rows 0-9, columns 20-39; neighbours up -, down 3, left 0, right -
 * Rank 2 at (1, 0): rows 10-19, columns 0-19; neighbours up 0, down -, left -, right 3
 * Rank 3 at (1, 1): rows 10-19, columns 20-39; neighbours up 1, down -, left 2, right -
 * step   0: hottest cell 100.000000
 * step   8: hottest cell 68.455680
 * step  16: hottest cell 46.782510
 * step  24: hottest cell 35.288419
 * step  32: hottest cell 28.435193
 * step  40: hottest cell 23.997495
 * Temperature after 40 steps (' ' below 2.5 ... '@' from 22.5):
 * +----------------------------------------+
 * |::--=+*****+=-::.                       |
 * |::-==+*###*+=-::.                       |
 * |:--=+*#####*+=-:..                      |
 * |:-==+*#%%%#*+=-:..                      |
 * |--=+*#%@@@%#*+-:..                      |
 * |--=+*#%@@@%#*+=::.        .....         |
 * |--=+*#%@@@%#*+-::.      .........       |
 * |--=+*#%%%%%#*=-:..    ....:::::...      |
 * |:--=+*#####*+=-:..   ...:::---:::..     |
 * |::--=+*****+=-::..  ...::---=---::..    |
 * |.::--==+++==-::..   ..::--=====--:...   |
 * |...::-------::..    ..::-==+++==-::..   |
 * | ....:::::::...     ..:--=+++++=--:..   |
 * |   ...........      ..:--=+++++=--:..   |
 * |      .....         ..::-==+++==-::..   |
 * |                    ..::--=====--::..   |
 * |                     ..::--===--::..    |
 * |                     ...::-----::...    |
 * |                      ..:::---:::..     |
 * |                      ...:::::::...     |
 * +----------------------------------------+
 * Total heat: 4480.000000 at the start, 4480.000000 at the end
 * Identical to the serial solver, bit for bit: yes
 * </pre>
 *
 * <p>The per-rank lines come in any order. Arguments: {@code [rows cols steps [sendrecv]]},
 * the grid (default {@value #ROWS} x {@value #COLS}) and the number of steps (default
 * {@value #STEPS}); {@code sendrecv} exchanges halos with {@code sendrecv} along
 * {@link CartComm#shift} instead of the neighbour collective. Every rank count works: the
 * ranks form the grid {@link Mpi#dimsCreate} chooses, and where the cells do not divide
 * evenly the first blocks get one row or column more.
 *
 * <h2>The model</h2>
 *
 * <p>Each step, every cell exchanges heat with its four neighbours in proportion to the
 * difference of temperature, the explicit finite-difference form of the heat equation:
 * <pre>
 * u' = u + α ((up − u) + (down − u) + (left − u) + (right − u)),   α = {@value #ALPHA}
 * </pre>
 * stable for α ≤ 1/4. The grid's outer edge is insulated: a missing neighbour counts as a
 * cell of the same temperature, so no heat crosses it and the total stays constant, which
 * the program prints. In the interior, with α = 1/5, this is the seed's rule: the average
 * of a cell and its four neighbours.
 *
 * <h2>Why the distributed result is exactly the serial one</h2>
 *
 * <p>Both solvers compute every cell with the same expression ({@link #update}) from the
 * same five values in the same order, and Java evaluates floating-point expressions exactly
 * as written (IEEE 754, no reassociation, no fused multiply-add unless asked). A rank's
 * halo holds exactly its neighbours' values of the previous step, and at the outer edge
 * the cell's own value, as in the serial solver. So the blocks, gathered on rank 0, are the
 * serial grid bit for bit, at any rank count and with either exchange; the test proves it.
 *
 * <p>What differs from the seed:
 * <ul>
 *   <li>The seed gives each process a single cell whose temperature is its rank, and runs
 *       only on a square number of processes (it warns and skips otherwise). Here a real
 *       grid of cells is split in blocks over any number of ranks: {@link Mpi#dimsCreate}
 *       picks a balanced process grid (7 ranks: 7 x 1), and blocks may differ by a row or
 *       a column.</li>
 *   <li>The seed computes its neighbours by hand from {@code rank // grid_size} and leaves
 *       out the missing ones. Here {@link Comm#cartCreate} makes a {@link CartComm},
 *       {@link CartComm#shift} names the neighbours, and past the edge of the grid the
 *       neighbour is {@link Mpi#PROC_NULL}, to which sends and from which receives do
 *       nothing, so the exchange has no special case at the edges.</li>
 *   <li>The seed sends to all neighbours with blocking sends before it receives. That
 *       works only while MPI buffers the messages, and deadlocks when they grow: MPI lets a
 *       standard send wait for its receive. Here each exchange is a {@code sendrecv} or a
 *       neighbour all-to-all ({@link org.mpi4j.TopoComm#neighborAlltoallv}), which cannot
 *       deadlock.</li>
 *   <li>The seed's update averages a cell with however many neighbours it has, so edge
 *       and corner cells weigh themselves more, and the total heat changes: it smooths,
 *       but it is not diffusion. Here the update moves heat between neighbours only, and
 *       the total is conserved.</li>
 *   <li>The seed prints each process's temperature as it goes. Here rank 0 gathers the
 *       field, draws it, and checks it against the serial solver.</li>
 * </ul>
 */
public final class HeatDiffusion {
    /** The grid and the number of steps of the default run. */
    static final int ROWS = 20;
    static final int COLS = 40;
    static final int STEPS = 40;
    /** The diffusion number α: the fraction of a temperature difference that flows per step. */
    static final double ALPHA = 0.2;
    /** Tags of the sendrecv exchange, one per direction of travel. */
    private static final int TAG_DOWN = 0;
    private static final int TAG_UP = 1;
    private static final int TAG_RIGHT = 2;
    private static final int TAG_LEFT = 3;
    /** The characters of the drawing, coolest first. */
    private static final String SHADES = " .:-=+*#%@";

    /** How the blocks' edges travel to the neighbours. */
    public enum Exchange {
        /** Four {@code sendrecv}s per step along {@link CartComm#shift}. */
        SENDRECV,
        /** One {@link org.mpi4j.TopoComm#neighborAlltoallv} per step. */
        NEIGHBOR
    }

    private HeatDiffusion() {
    }

    /** Runs the example on the ranks of the job this program was started in. */
    public static void main(String[] args) {
        try (Mpi mpi = Mpi.init(args)) {
            int rows = args.length >= 3 ? Integer.parseInt(args[0]) : ROWS;
            int cols = args.length >= 3 ? Integer.parseInt(args[1]) : COLS;
            int steps = args.length >= 3 ? Integer.parseInt(args[2]) : STEPS;
            Exchange how = args.length >= 4 && args[3].equals("sendrecv") ? Exchange.SENDRECV : Exchange.NEIGHBOR;
            run(mpi.world(), System.out, rows, cols, steps, how);
        }
    }

    /** Runs the default problem on one rank of {@code world}, printing to {@code out}. Every rank must call it. */
    public static void run(Comm world, PrintStream out) {
        run(world, out, ROWS, COLS, STEPS, Exchange.NEIGHBOR);
    }

    /** Runs one problem on one rank of {@code world}, printing to {@code out}. Every rank must call it. */
    public static void run(Comm world, PrintStream out, int rows, int cols, int steps, Exchange how) {
        int[] dims = Mpi.dimsCreate(world.size(), 2);
        if (rows < dims[0] || cols < dims[1]) {
            if (world.rank() == 0) {
                out.println("A " + rows + " x " + cols + " grid cannot be split over " + world.size() + " ranks as "
                        + dims[0] + " x " + dims[1] + ": every rank needs at least one cell. Use fewer ranks.");
            }
            return;
        }
        if (world.rank() == 0) {
            out.println("Heat diffusion on a " + rows + " x " + cols + " grid, " + steps + " steps, " + world.size()
                    + " ranks as a " + dims[0] + " x " + dims[1] + " Cartesian grid, halo exchange by "
                    + (how == Exchange.NEIGHBOR ? "neighbor alltoallv" : "sendrecv"));
        }
        double[][] grid = solve(world, rows, cols, steps, how, out);
        if (world.rank() != 0) {
            return;
        }
        out.println("Temperature after " + steps + " steps (' ' below " + format(100.0 / SHADES.length() / 4, 1)
                + " ... '@' from " + format(100.0 * (SHADES.length() - 1) / SHADES.length() / 4, 1) + "):");
        draw(grid, out);
        out.println("Total heat: " + format(total(initialGrid(rows, cols)), 6) + " at the start, "
                + format(total(grid), 6) + " at the end");
        boolean same = identical(grid, solveSerial(rows, cols, steps));
        out.println("Identical to the serial solver, bit for bit: " + (same ? "yes" : "NO"));
    }

    // ================================================================== the distributed solver

    /**
     * Solves the problem on {@code world}'s ranks and returns the whole grid on rank 0, null
     * on the others. Every rank must call it.
     *
     * @param out where each rank describes its block and rank 0 reports progress; or null for silence
     * @throws IllegalArgumentException if the grid has fewer rows or columns than the process grid
     */
    public static double[][] solve(Comm world, int rows, int cols, int steps, Exchange how, PrintStream out) {
        int[] dims = Mpi.dimsCreate(world.size(), 2);
        if (rows < dims[0] || cols < dims[1]) {
            throw new IllegalArgumentException("a " + rows + " x " + cols + " grid has fewer rows or columns than the "
                    + dims[0] + " x " + dims[1] + " process grid");
        }
        // Every rank is in the grid, since its size is the world's.
        CartComm cart = world.cartCreate(dims, new boolean[] {false, false}, false);
        int[] me = cart.coords();
        int r0 = start(me[0], rows, dims[0]);
        int lr = start(me[0] + 1, rows, dims[0]) - r0;
        int c0 = start(me[1], cols, dims[1]);
        int lc = start(me[1] + 1, cols, dims[1]) - c0;
        int w = lc + 2; // the width of a row with its two halo cells
        CartComm.Shift vertical = cart.shift(0, 1);   // source: up, dest: down
        CartComm.Shift horizontal = cart.shift(1, 1); // source: left, dest: right
        if (out != null) {
            out.println("Rank " + cart.rank() + " at (" + me[0] + ", " + me[1] + "): rows " + r0 + "-" + (r0 + lr - 1)
                    + ", columns " + c0 + "-" + (c0 + lc - 1) + "; neighbours up " + name(vertical.source())
                    + ", down " + name(vertical.dest()) + ", left " + name(horizontal.source()) + ", right "
                    + name(horizontal.dest()));
        }

        // The block with a halo of one cell all around: cell (i, j) of the block is u[(i + 1) * w + j + 1].
        double[] u = new double[(lr + 2) * w];
        double[] next = new double[u.length];
        for (int i = 0; i < lr; i++) {
            for (int j = 0; j < lc; j++) {
                u[(i + 1) * w + j + 1] = initial(r0 + i, c0 + j);
            }
        }
        Halo halo = new Halo(cart, lr, lc, vertical, horizontal);
        int every = Math.max(1, steps / 5);
        for (int step = 0; step <= steps; step++) {
            if (step % every == 0 || step == steps) {
                double hottest = cart.allreduce(max(u, lr, lc), Op.MAX); // exact at any rank count
                if (out != null && cart.rank() == 0) {
                    out.println("step " + String.format(Locale.ROOT, "%3d", step) + ": hottest cell "
                            + format(hottest, 6));
                }
            }
            if (step == steps) {
                break;
            }
            halo.exchange(u, how);
            for (int i = 1; i <= lr; i++) {
                for (int j = 1; j <= lc; j++) {
                    int k = i * w + j;
                    next[k] = update(u[k], u[k - w], u[k + w], u[k - 1], u[k + 1]);
                }
            }
            double[] t = u;
            u = next;
            next = t;
        }
        double[][] grid = gather(cart, dims, rows, cols, u, lr, lc);
        cart.free();
        return grid;
    }

    /** The halo exchange of one block, by either method. */
    private static final class Halo {
        private final CartComm cart;
        private final int lr;
        private final int lc;
        private final CartComm.Shift vertical;
        private final CartComm.Shift horizontal;
        private final double[] colOut;
        private final double[] colIn;
        /** For the neighbour collective: the blocks up, down, left, right, in the topology's order. */
        private final double[] send;
        private final double[] recv;
        private final int[] counts;
        private final int[] displs;

        Halo(CartComm cart, int lr, int lc, CartComm.Shift vertical, CartComm.Shift horizontal) {
            this.cart = cart;
            this.lr = lr;
            this.lc = lc;
            this.vertical = vertical;
            this.horizontal = horizontal;
            this.colOut = new double[lr];
            this.colIn = new double[lr];
            this.send = new double[2 * lc + 2 * lr];
            this.recv = new double[send.length];
            this.counts = new int[] {lc, lc, lr, lr};
            this.displs = new int[] {0, lc, 2 * lc, 2 * lc + lr};
        }

        /**
         * Fills the halo of {@code u}: with the neighbours' edge cells where there are
         * neighbours, and with the block's own edge cells at the grid's outer edge
         * (insulation: a missing neighbour has the cell's own temperature).
         */
        void exchange(double[] u, Exchange how) {
            int w = lc + 2;
            if (how == Exchange.NEIGHBOR) {
                // Blocks in the order of the Cartesian neighbours: up, down, left, right.
                System.arraycopy(u, w + 1, send, 0, lc);             // my first row goes up
                System.arraycopy(u, lr * w + 1, send, lc, lc);       // my last row goes down
                for (int i = 0; i < lr; i++) {
                    send[2 * lc + i] = u[(i + 1) * w + 1];           // my first column goes left
                    send[2 * lc + lr + i] = u[(i + 1) * w + lc];     // my last column goes right
                }
                // A PROC_NULL neighbour's slot is left as it was: start from the mirror image,
                // which is exactly what was sent that way.
                System.arraycopy(send, 0, recv, 0, send.length);
                cart.neighborAlltoallv(Buf.of(send), counts, displs, Buf.of(recv), counts, displs);
                System.arraycopy(recv, 0, u, 1, lc);                 // from up: the top halo
                System.arraycopy(recv, lc, u, (lr + 1) * w + 1, lc); // from down: the bottom halo
                for (int i = 0; i < lr; i++) {
                    u[(i + 1) * w] = recv[2 * lc + i];               // from left
                    u[(i + 1) * w + lc + 1] = recv[2 * lc + lr + i]; // from right
                }
                return;
            }
            // The mirror first; a receive from PROC_NULL leaves it in place.
            System.arraycopy(u, w + 1, u, 1, lc);
            System.arraycopy(u, lr * w + 1, u, (lr + 1) * w + 1, lc);
            for (int i = 1; i <= lr; i++) {
                u[i * w] = u[i * w + 1];
                u[i * w + lc + 1] = u[i * w + lc];
            }
            // Rows are contiguous: send the last row down while the top halo comes from up, and back.
            cart.sendrecv(Buf.of(u, lr * w + 1, lc), vertical.dest(), TAG_DOWN,
                    Buf.of(u, 1, lc), vertical.source(), TAG_DOWN);
            cart.sendrecv(Buf.of(u, w + 1, lc), vertical.source(), TAG_UP,
                    Buf.of(u, (lr + 1) * w + 1, lc), vertical.dest(), TAG_UP);
            // Columns are strided: pack them.
            for (int i = 0; i < lr; i++) {
                colOut[i] = u[(i + 1) * w + lc];
            }
            if (cart.sendrecv(Buf.of(colOut), horizontal.dest(), TAG_RIGHT, Buf.of(colIn), horizontal.source(),
                    TAG_RIGHT).source() != Mpi.PROC_NULL) {
                for (int i = 0; i < lr; i++) {
                    u[(i + 1) * w] = colIn[i];
                }
            }
            for (int i = 0; i < lr; i++) {
                colOut[i] = u[(i + 1) * w + 1];
            }
            if (cart.sendrecv(Buf.of(colOut), horizontal.source(), TAG_LEFT, Buf.of(colIn), horizontal.dest(),
                    TAG_LEFT).source() != Mpi.PROC_NULL) {
                for (int i = 0; i < lr; i++) {
                    u[(i + 1) * w + lc + 1] = colIn[i];
                }
            }
        }
    }

    /** Gathers every block to rank 0 of {@code cart} and assembles the grid there; null elsewhere. */
    private static double[][] gather(CartComm cart, int[] dims, int rows, int cols, double[] u, int lr, int lc) {
        int w = lc + 2;
        double[] mine = new double[lr * lc];
        for (int i = 0; i < lr; i++) {
            System.arraycopy(u, (i + 1) * w + 1, mine, i * lc, lc);
        }
        int n = cart.size();
        int[] counts = new int[n];
        int[] displs = new int[n];
        for (int r = 0, at = 0; r < n; r++) {
            int[] c = cart.coords(r);
            counts[r] = (start(c[0] + 1, rows, dims[0]) - start(c[0], rows, dims[0]))
                    * (start(c[1] + 1, cols, dims[1]) - start(c[1], cols, dims[1]));
            displs[r] = at;
            at += counts[r];
        }
        boolean root = cart.rank() == 0;
        double[] all = root ? new double[rows * cols] : null;
        cart.gatherv(Buf.of(mine), root ? Buf.of(all) : null, counts, displs, 0);
        if (!root) {
            return null;
        }
        double[][] grid = new double[rows][cols];
        for (int r = 0; r < n; r++) {
            int[] c = cart.coords(r);
            int br = start(c[0], rows, dims[0]);
            int bc = start(c[1], cols, dims[1]);
            int h = start(c[0] + 1, rows, dims[0]) - br;
            int bw = start(c[1] + 1, cols, dims[1]) - bc;
            for (int i = 0; i < h; i++) {
                System.arraycopy(all, displs[r] + i * bw, grid[br + i], bc, bw);
            }
        }
        return grid;
    }

    // ================================================================== the serial solver

    /** Solves the problem on one thread: the reference the distributed solver must match exactly. */
    public static double[][] solveSerial(int rows, int cols, int steps) {
        double[][] u = initialGrid(rows, cols);
        double[][] next = new double[rows][cols];
        for (int step = 0; step < steps; step++) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double c = u[i][j];
                    double up = i > 0 ? u[i - 1][j] : c; // insulated edge: no difference, no flow
                    double down = i < rows - 1 ? u[i + 1][j] : c;
                    double left = j > 0 ? u[i][j - 1] : c;
                    double right = j < cols - 1 ? u[i][j + 1] : c;
                    next[i][j] = update(c, up, down, left, right);
                }
            }
            double[][] t = u;
            u = next;
            next = t;
        }
        return u;
    }

    /** One cell's next temperature: the one expression both solvers use. */
    static double update(double c, double up, double down, double left, double right) {
        return c + ALPHA * ((up - c) + (down - c) + (left - c) + (right - c));
    }

    /** The starting temperature of cell (i, j): two hot squares, 100 and 60 degrees, on a cold plate. */
    static double initial(int i, int j) {
        if (i >= 4 && i < 8 && j >= 5 && j < 12) {
            return 100.0;
        }
        if (i >= 11 && i < 15 && j >= 25 && j < 32) {
            return 60.0;
        }
        return 0.0;
    }

    static double[][] initialGrid(int rows, int cols) {
        double[][] g = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                g[i][j] = initial(i, j);
            }
        }
        return g;
    }

    // ================================================================== helpers

    /** The first of the {@code n} items that part {@code k} of {@code parts} balanced parts starts at. */
    static int start(int k, int n, int parts) {
        return k * (n / parts) + Math.min(k, n % parts);
    }

    /** Whether two grids hold the same bits in every cell. */
    static boolean identical(double[][] a, double[][] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != b[i].length) {
                return false;
            }
            for (int j = 0; j < a[i].length; j++) {
                if (Double.doubleToRawLongBits(a[i][j]) != Double.doubleToRawLongBits(b[i][j])) {
                    return false;
                }
            }
        }
        return true;
    }

    static double total(double[][] g) {
        double sum = 0;
        for (double[] row : g) {
            for (double v : row) {
                sum += v;
            }
        }
        return sum;
    }

    private static double max(double[] u, int lr, int lc) {
        double m = Double.NEGATIVE_INFINITY;
        int w = lc + 2;
        for (int i = 1; i <= lr; i++) {
            for (int j = 1; j <= lc; j++) {
                m = Math.max(m, u[i * w + j]);
            }
        }
        return m;
    }

    /** Draws the grid a character per cell, each shade 2.5 degrees wide: ' ' below 2.5, '@' from 22.5 up. */
    private static void draw(double[][] grid, PrintStream out) {
        int cols = grid[0].length;
        String border = "+" + "-".repeat(cols) + "+";
        out.println(border);
        for (double[] row : grid) {
            StringBuilder line = new StringBuilder("|");
            for (double v : row) {
                int shade = (int) (v * 4 * SHADES.length() / 100);
                line.append(SHADES.charAt(Math.max(0, Math.min(SHADES.length() - 1, shade))));
            }
            out.println(line.append('|'));
        }
        out.println(border);
    }

    private static String name(int rank) {
        return rank == Mpi.PROC_NULL ? "-" : String.valueOf(rank);
    }

    private static String format(double x, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", x);
    }
}
