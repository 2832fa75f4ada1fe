/**
 * The contract test suites every mpi4j engine must pass, written after mpi4py's own tests:
 * each passes at any number of ranks (it reads rank and size, loops over every root, uses
 * rings, and skips with a reason where the size is too small).
 *
 * <p>The suites live in {@code src/main} so that each engine module can run them with
 * surefire's {@code dependenciesToScan}; they run on the engines that
 * {@code mpi4j.test.engines} lists (see {@link org.mpi4j.junit.MpiTest}). Randomized suites
 * print their seed ({@code seed=...}) and take it from {@code mpi4j.test.seed} when set.
 */
package org.mpi4j.tck;
