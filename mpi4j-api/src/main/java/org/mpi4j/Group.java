package org.mpi4j;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable, ordered set of processes: MPI's group (MPI 4.1 §7.3).
 *
 * <p>A process is named by its rank in the job's world; the process at position {@code i}
 * has <em>group rank</em> {@code i}. So {@code Group.of(4, 0, 2)} has size 3, and world
 * rank 4 is its rank 0. Every method that takes or returns a rank says which kind it is:
 * {@link #worldRank(int)}, {@link #worldRanks()} and {@link #rankOf(int)} convert between
 * the two; {@link #incl}, {@link #excl}, {@link #rangeIncl}, {@link #rangeExcl} and
 * {@link #translateRanks} take group ranks, as their MPI counterparts do.
 *
 * <p>The set operations keep MPI's order, which decides the ranks of the result:
 * <ul>
 *   <li>{@link #union}: this group's members in this group's order, then the other's
 *       members that are not in this group, in the other's order;</li>
 *   <li>{@link #intersection}: this group's members that are in the other, in this group's order;</li>
 *   <li>{@link #difference}: this group's members that are not in the other, in this group's order.</li>
 * </ul>
 *
 * <p>Groups are values: {@link #equals} holds for the same members in the same order, and
 * there is nothing to free. Errors throw an {@link MpiException} naming the offending rank
 * or range, of class {@link ErrorClass#RANK} for a rank that is out of range or repeated and
 * {@link ErrorClass#ARG} for a malformed range; null arguments throw
 * {@link NullPointerException}.
 *
 * <p>Left out: {@code MPI_Group_free} (the garbage collector frees groups) and
 * {@code MPI_Group_rank} (a group does not know which process is asking; use
 * {@code rankOf(myWorldRank)}).
 */
public final class Group {

    /** The group with no members ({@code MPI_GROUP_EMPTY}). */
    public static final Group EMPTY = new Group(new int[0]);

    /** Members beyond this many are elided by {@link #toString()}. */
    private static final int TO_STRING_LIMIT = 64;

    /** World rank of each group rank; owned, never exposed. */
    private final int[] members;
    /**
     * World rank → group rank, {@link Mpi#UNDEFINED} where absent, when the world ranks are
     * compact enough for a table ({@code max < 4 * size + 64}); else null.
     */
    private final int[] dense;
    /**
     * When {@link #dense} is null: {@code worldRank << 32 | groupRank} for every member,
     * sorted, for a binary search. World ranks are non-negative, so the order is that of the
     * world ranks.
     */
    private final long[] sorted;
    private final int hash;

    /** Wraps {@code members}, which the caller hands over: non-negative, but not yet checked for repeats. */
    private Group(int[] members) {
        this.members = members;
        int max = -1;
        for (int m : members) {
            max = Math.max(max, m);
        }
        if (max < 4L * members.length + 64) {
            dense = new int[max + 1];
            Arrays.fill(dense, Mpi.UNDEFINED);
            for (int i = 0; i < members.length; i++) {
                dense[members[i]] = i;
            }
            sorted = null;
        } else {
            dense = null;
            sorted = new long[members.length];
            for (int i = 0; i < members.length; i++) {
                sorted[i] = (long) members[i] << 32 | i;
            }
            Arrays.sort(sorted);
        }
        hash = Arrays.hashCode(members);
    }

    // ================================================================== creation

    /**
     * Returns the group of the given processes, in the given order: {@code worldRanks[i]}
     * gets group rank {@code i}.
     *
     * @param worldRanks distinct, non-negative world ranks; the array is copied
     * @throws MpiException of class {@link ErrorClass#RANK} if a world rank is negative or appears twice
     */
    public static Group of(int... worldRanks) {
        Objects.requireNonNull(worldRanks, "worldRanks");
        if (worldRanks.length == 0) {
            return EMPTY;
        }
        int[] copy = worldRanks.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] < 0) {
                throw new MpiException(ErrorClass.RANK, "Group.of: world rank " + copy[i]
                        + " at worldRanks[" + i + "] is negative");
            }
        }
        Group g = new Group(copy);
        // The index keeps one group rank per world rank, so a repeated world rank shows as a
        // member whose lookup finds another position.
        for (int i = 0; i < copy.length; i++) {
            int j = g.rankOf(copy[i]);
            if (j != i) {
                throw new MpiException(ErrorClass.RANK, "Group.of: world rank " + copy[i]
                        + " appears twice, at worldRanks[" + Math.min(i, j) + "] and worldRanks["
                        + Math.max(i, j) + "]");
            }
        }
        return g;
    }

    /** Wraps members known to be distinct and non-negative. */
    private static Group trusted(int[] members) {
        return members.length == 0 ? EMPTY : new Group(members);
    }

    // ================================================================== queries

    /** Returns the number of processes in the group ({@code MPI_Group_size}). */
    public int size() {
        return members.length;
    }

    /**
     * Returns the world rank of the process with group rank {@code groupRank}.
     *
     * @throws MpiException of class {@link ErrorClass#RANK} if {@code groupRank} is not in {@code 0..size()-1}
     */
    public int worldRank(int groupRank) {
        checkRank("Group.worldRank", "groupRank", groupRank, false);
        return members[groupRank];
    }

    /** Returns the members' world ranks in group-rank order, as a new array. */
    public int[] worldRanks() {
        return members.clone();
    }

    /**
     * Returns the group rank of the process with world rank {@code worldRank}, or
     * {@link Mpi#UNDEFINED} if it is not a member. Any int may be asked about.
     */
    public int rankOf(int worldRank) {
        if (worldRank < 0) {
            return Mpi.UNDEFINED;
        }
        if (dense != null) {
            return worldRank < dense.length ? dense[worldRank] : Mpi.UNDEFINED;
        }
        int at = Arrays.binarySearch(sorted, (long) worldRank << 32);
        if (at < 0) {
            at = -at - 1;
        }
        return at < sorted.length && (int) (sorted[at] >>> 32) == worldRank ? (int) sorted[at] : Mpi.UNDEFINED;
    }

    // ================================================================== subsets

    /**
     * Returns the group of the processes with the given group ranks, in that order
     * ({@code MPI_Group_incl}): process {@code ranks[i]} of this group is process {@code i}
     * of the result. No ranks give {@link #EMPTY}.
     *
     * @param ranks distinct group ranks of this group
     * @throws MpiException of class {@link ErrorClass#RANK} if a rank is out of range or appears twice
     */
    public Group incl(int... ranks) {
        Objects.requireNonNull(ranks, "ranks");
        checkDistinctRanks("Group.incl", ranks);
        return pick(ranks);
    }

    /**
     * Returns this group without the processes with the given group ranks, the others keeping
     * their order ({@code MPI_Group_excl}). No ranks give a group equal to this one.
     *
     * @param ranks distinct group ranks of this group
     * @throws MpiException of class {@link ErrorClass#RANK} if a rank is out of range or appears twice
     */
    public Group excl(int... ranks) {
        Objects.requireNonNull(ranks, "ranks");
        checkDistinctRanks("Group.excl", ranks);
        return drop(ranks);
    }

    /**
     * Returns the group of the processes named by ranges of group ranks, in the order the
     * ranges produce them ({@code MPI_Group_range_incl}).
     *
     * <p>A range {@code {first, last, stride}} stands for the ranks {@code first},
     * {@code first + stride}, ... up to {@code first + ((last - first) / stride) * stride}:
     * {@code {0, 9, 4}} is 0, 4, 8, and {@code {9, 0, -4}} is 9, 5, 1. {@code last} itself
     * need not be a rank of the group, but every rank a range produces must be, and no rank
     * may be produced twice, by one range or by two.
     *
     * @param ranges triplets {@code {first, last, stride}}
     * @throws MpiException of class {@link ErrorClass#ARG} if a range does not have three
     *         elements, has stride 0, or runs away from {@code last} ({@code first > last}
     *         with a positive stride, {@code first < last} with a negative one); of class
     *         {@link ErrorClass#RANK} if a range produces a rank out of range or a rank
     *         already produced
     */
    public Group rangeIncl(int[]... ranges) {
        return pick(expand("Group.rangeIncl", ranges));
    }

    /**
     * Returns this group without the processes named by ranges of group ranks, the others
     * keeping their order ({@code MPI_Group_range_excl}). Ranges are read as by
     * {@link #rangeIncl}, and the same rules apply.
     *
     * @param ranges triplets {@code {first, last, stride}}
     * @throws MpiException as {@link #rangeIncl} does
     */
    public Group rangeExcl(int[]... ranges) {
        return drop(expand("Group.rangeExcl", ranges));
    }

    private Group pick(int[] ranks) {
        int[] picked = new int[ranks.length];
        for (int i = 0; i < ranks.length; i++) {
            picked[i] = members[ranks[i]];
        }
        return trusted(picked);
    }

    private Group drop(int[] ranks) {
        if (ranks.length == 0) {
            return this;
        }
        boolean[] dropped = new boolean[members.length];
        for (int r : ranks) {
            dropped[r] = true;
        }
        int[] kept = new int[members.length - ranks.length];
        int n = 0;
        for (int i = 0; i < members.length; i++) {
            if (!dropped[i]) {
                kept[n++] = members[i];
            }
        }
        return trusted(kept);
    }

    /**
     * Expands {@code ranges} to the group ranks they produce, in order, checking each range
     * and that no rank is produced twice.
     *
     * <p>A range's ranks run monotonically from {@code first} to its actual last rank
     * {@code first + ((last - first) / stride) * stride}: {@code {1, 10, 4}} gives 1, 5, 9.
     * (MPI writes the count with floor division; Java's division truncates, which is the
     * same here because the direction check makes the quotient non-negative.) So checking
     * the two ends checks every rank without expanding a range such as
     * {@code {0, Integer.MAX_VALUE, 1}} first. And as a rank may be produced only once, no
     * more than {@code size()} ranks are expanded before a repeat is found.
     */
    private int[] expand(String op, int[][] ranges) {
        Objects.requireNonNull(ranges, "ranges");
        int size = members.length;
        int[] producer = new int[size]; // index of the range that produced each rank, + 1
        int[] out = new int[size];
        int n = 0;
        for (int i = 0; i < ranges.length; i++) {
            int[] t = Objects.requireNonNull(ranges[i], "ranges[" + i + "]");
            if (t.length != 3) {
                throw new MpiException(ErrorClass.ARG, op + ": ranges[" + i + "] has length " + t.length
                        + ", not 3 {first, last, stride}");
            }
            int first = t[0];
            int last = t[1];
            int stride = t[2];
            String range = "ranges[" + i + "] = {" + first + ", " + last + ", " + stride + "}";
            if (stride == 0) {
                throw new MpiException(ErrorClass.ARG, op + ": " + range + " has stride 0");
            }
            if (stride > 0 && first > last) {
                throw new MpiException(ErrorClass.ARG, op + ": " + range + " has first > last with a positive stride");
            }
            if (stride < 0 && first < last) {
                throw new MpiException(ErrorClass.ARG, op + ": " + range + " has first < last with a negative stride");
            }
            long count = ((long) last - first) / stride + 1;
            long actualLast = first + (count - 1) * stride;
            checkProduced(op, range, first, size);
            checkProduced(op, range, actualLast, size);
            for (long k = 0; k < count; k++) {
                int r = (int) (first + k * stride);
                if (producer[r] != 0) { // a range's own ranks are distinct: this is an earlier range
                    throw new MpiException(ErrorClass.RANK, op + ": " + range + " produces rank " + r
                            + ", already produced by ranges[" + (producer[r] - 1) + "]");
                }
                producer[r] = i + 1;
                out[n++] = r;
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static void checkProduced(String op, String range, long rank, int size) {
        if (rank < 0 || rank >= size) {
            throw new MpiException(ErrorClass.RANK, op + ": " + range + " produces rank " + rank
                    + ", out of range for a group of size " + size + validRanks(size, false));
        }
    }

    // ================================================================== set operations

    /**
     * Returns the members of this group followed by those of {@code other} that are not in
     * this group, each part in its group's order ({@code MPI_Group_union}).
     */
    public Group union(Group other) {
        Objects.requireNonNull(other, "other");
        int[] out = Arrays.copyOf(members, members.length + other.members.length);
        int n = members.length;
        for (int m : other.members) {
            if (rankOf(m) == Mpi.UNDEFINED) {
                out[n++] = m;
            }
        }
        return n == members.length ? this : trusted(Arrays.copyOf(out, n));
    }

    /** Returns the members of this group that are also in {@code other}, in this group's order ({@code MPI_Group_intersection}). */
    public Group intersection(Group other) {
        Objects.requireNonNull(other, "other");
        return filter(other, true);
    }

    /** Returns the members of this group that are not in {@code other}, in this group's order ({@code MPI_Group_difference}). */
    public Group difference(Group other) {
        Objects.requireNonNull(other, "other");
        return filter(other, false);
    }

    private Group filter(Group other, boolean keepShared) {
        int[] out = new int[members.length];
        int n = 0;
        for (int m : members) {
            if ((other.rankOf(m) != Mpi.UNDEFINED) == keepShared) {
                out[n++] = m;
            }
        }
        return n == members.length ? this : trusted(Arrays.copyOf(out, n));
    }

    // ================================================================== translation and comparison

    /**
     * Returns, for each group rank in {@code ranks}, the rank of the same process in
     * {@code other}, or {@link Mpi#UNDEFINED} if it is not a member there
     * ({@code MPI_Group_translate_ranks}). {@link Mpi#PROC_NULL} translates to
     * {@link Mpi#PROC_NULL}.
     *
     * @param ranks group ranks of this group, or {@link Mpi#PROC_NULL}; repeats are allowed
     * @throws MpiException of class {@link ErrorClass#RANK} if a rank is out of range for this group
     */
    public int[] translateRanks(int[] ranks, Group other) {
        Objects.requireNonNull(ranks, "ranks");
        Objects.requireNonNull(other, "other");
        int[] out = new int[ranks.length];
        for (int i = 0; i < ranks.length; i++) {
            int r = ranks[i];
            if (r == Mpi.PROC_NULL) {
                out[i] = Mpi.PROC_NULL;
                continue;
            }
            checkRank("Group.translateRanks", "ranks[" + i + "] =", r, true);
            out[i] = other.rankOf(members[r]);
        }
        return out;
    }

    /**
     * Compares two groups ({@code MPI_Group_compare}): {@link Comparison#IDENT} for the same
     * members in the same order, {@link Comparison#SIMILAR} for the same members in another
     * order, else {@link Comparison#UNEQUAL}. Never {@link Comparison#CONGRUENT}.
     */
    public Comparison compare(Group other) {
        Objects.requireNonNull(other, "other");
        if (members.length != other.members.length) {
            return Comparison.UNEQUAL;
        }
        if (Arrays.equals(members, other.members)) {
            return Comparison.IDENT;
        }
        // Same size and distinct members: every member of this in other means the same set.
        for (int m : members) {
            if (other.rankOf(m) == Mpi.UNDEFINED) {
                return Comparison.UNEQUAL;
            }
        }
        return Comparison.SIMILAR;
    }

    // ================================================================== checks

    private void checkRank(String op, String what, int rank, boolean procNullValid) {
        if (rank < 0 || rank >= members.length) {
            throw new MpiException(ErrorClass.RANK, op + ": " + what + " " + rank
                    + " is out of range for a group of size " + members.length + validRanks(members.length, procNullValid));
        }
    }

    private void checkDistinctRanks(String op, int[] ranks) {
        int[] seenAt = new int[members.length]; // position in ranks + 1, or 0
        for (int i = 0; i < ranks.length; i++) {
            int r = ranks[i];
            checkRank(op, "ranks[" + i + "] =", r, false);
            if (seenAt[r] != 0) {
                throw new MpiException(ErrorClass.RANK, op + ": rank " + r + " appears twice, at ranks["
                        + (seenAt[r] - 1) + "] and ranks[" + i + "]");
            }
            seenAt[r] = i + 1;
        }
    }

    private static String validRanks(int size, boolean procNullValid) {
        String nullPart = procNullValid ? " or PROC_NULL" : "";
        return size == 0 ? " (no valid ranks" + nullPart + ")" : " (valid: 0.." + (size - 1) + nullPart + ")";
    }

    // ================================================================== value

    /** Returns whether {@code o} is a group with the same members in the same order. */
    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Group g && hash == g.hash && Arrays.equals(members, g.members);
    }

    /** Returns a hash of the members in order, consistent with {@link #equals}. */
    @Override
    public int hashCode() {
        return hash;
    }

    /**
     * Returns the members' world ranks in order, such as {@code Group[0, 2, 5]}; beyond the
     * first 64 members, only how many more there are.
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Group[");
        int shown = Math.min(members.length, TO_STRING_LIMIT);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(members[i]);
        }
        if (shown < members.length) {
            sb.append(", ... ").append(members.length - shown).append(" more");
        }
        return sb.append(']').toString();
    }
}
