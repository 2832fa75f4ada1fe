package org.mpi4j;

import java.io.Serializable;
import java.util.Objects;

/**
 * A value and where it came from: the operand and result of {@link Op#MINLOC} and
 * {@link Op#MAXLOC} on objects (MPI's {@code MPI_DOUBLE_INT} and kin, for any comparable
 * value).
 *
 * <pre>{@code
 * Loc<Double> best = world.allreduce(new Loc<>(myMin, world.rank()), Op.MINLOC);
 * // best.value() is the smallest myMin of all ranks, best.index() the lowest rank that has it
 * }</pre>
 *
 * <p>MINLOC keeps the pair with the smaller value by {@link Comparable#compareTo}, MAXLOC
 * the one with the larger; on a tie both keep the pair with the smaller index, as MPI
 * prescribes, so the result does not depend on the order in which ranks are combined. The
 * index is usually a rank, but can be anything that names the value's origin, such as a
 * global element number.
 *
 * <p>A {@code Loc} travels through the job's {@link Codec} like any object; it is
 * {@link Serializable} for {@link Codec#java()}.
 *
 * @param <T> the type of the value
 * @param value the value compared; never null
 * @param index where the value came from: a rank, an element number
 */
public record Loc<T extends Comparable<? super T>>(T value, int index) implements Serializable {

    /**
     * Creates a pair.
     *
     * @throws NullPointerException if {@code value} is null
     */
    public Loc {
        Objects.requireNonNull(value, "value");
    }
}
