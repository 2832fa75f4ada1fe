package org.mpi4j.engine.process;

import java.util.Locale;
import org.mpi4j.ErrorClass;
import org.mpi4j.MpiException;
import org.mpi4j.spi.Settings;

/**
 * The SLURM job step this process is a task of, as {@code srun} describes it in each task's
 * environment: {@code SLURM_PROCID} is the rank, {@code SLURM_STEP_NUM_TASKS} (else
 * {@code SLURM_NTASKS}) the number of ranks, {@code SLURM_JOB_ID} and {@code SLURM_STEP_ID}
 * name the step. Each variable is read as a setting ({@code slurm.procid} for
 * {@code SLURM_PROCID}), so a test can give them as system properties too.
 *
 * <p>Only a real step started by {@code srun} counts: a batch script, {@code salloc}'s shell
 * and the interactive step also carry {@code SLURM_JOB_ID} and sometimes {@code SLURM_PROCID},
 * but no {@code SLURM_STEP_ID}, or one of SLURM's reserved step ids (batch, extern,
 * interactive, all above {@value #MAX_STEP_ID}). {@code MPI4J_SLURM=off} turns detection
 * off, for a program that must ignore the allocation it runs in.
 *
 * @param rank this task's rank ({@code SLURM_PROCID})
 * @param size the number of tasks in the step
 * @param jobId the job's id
 * @param stepId the step's id within the job
 * @param cluster the cluster's name, or "" if SLURM does not say
 * @param nodes the number of nodes the step runs on, or 0 if SLURM does not say
 * @param launchNodeAddress the address of the node {@code srun} runs on, or null
 */
record SlurmStep(int rank, int size, String jobId, String stepId, String cluster, int nodes, String launchNodeAddress) {
    /** The setting that turns SLURM detection off: {@code mpi4j.slurm=off} ({@code MPI4J_SLURM=off}). */
    static final String ENABLED = "mpi4j.slurm";
    /** The largest real step id: SLURM reserves the ids above it (batch, extern, interactive, pending). */
    static final long MAX_STEP_ID = 0xFFFFFFF0L;

    /**
     * Returns the step this process is a task of, or null if it was not started by
     * {@code srun} (or SLURM detection is turned off).
     *
     * @throws MpiException if the variables are there but do not describe a task of a step
     */
    static SlurmStep detect(Settings settings) {
        String enabled = settings.get(ENABLED, "on").trim().toLowerCase(Locale.ROOT);
        if (enabled.equals("off") || enabled.equals("false") || enabled.equals("0") || enabled.equals("no")) {
            return null;
        }
        String procId = var(settings, "SLURM_PROCID");
        String jobId = var(settings, "SLURM_JOB_ID");
        String stepId = var(settings, "SLURM_STEP_ID");
        if (stepId == null) {
            stepId = var(settings, "SLURM_STEPID");
        }
        String tasks = var(settings, "SLURM_STEP_NUM_TASKS");
        String tasksVariable = "SLURM_STEP_NUM_TASKS";
        if (tasks == null) {
            tasks = var(settings, "SLURM_NTASKS");
            tasksVariable = "SLURM_NTASKS";
        }
        if (procId == null || jobId == null || stepId == null || tasks == null) {
            return null;
        }
        long step;
        try {
            step = Long.parseLong(stepId);
        } catch (NumberFormatException e) {
            return null; // not a step srun started
        }
        if (step < 0 || step > MAX_STEP_ID) {
            return null; // the batch script, the extern or the interactive step: no srun here
        }
        int rank = number(procId, "SLURM_PROCID");
        int size = number(tasks, tasksVariable);
        if (size < 1 || rank < 0 || rank >= size) {
            throw new MpiException(ErrorClass.ARG, "SLURM_PROCID=" + rank + " and " + tasksVariable + "=" + size
                    + " do not describe a task of a job step");
        }
        if (!jobId.matches("[A-Za-z0-9_-]+")) {
            throw new MpiException(ErrorClass.ARG, "SLURM_JOB_ID=" + jobId + " is not a job id");
        }
        String cluster = var(settings, "SLURM_CLUSTER_NAME");
        String nodes = var(settings, "SLURM_STEP_NUM_NODES");
        if (nodes == null) {
            nodes = var(settings, "SLURM_NNODES");
        }
        int nodeCount = 0;
        try {
            nodeCount = nodes == null ? 0 : Integer.parseInt(nodes);
        } catch (NumberFormatException e) {
            // unknown: treated as several nodes
        }
        return new SlurmStep(rank, size, jobId, Long.toString(step),
                cluster == null ? "" : cluster.replaceAll("[^A-Za-z0-9_-]", "_"), nodeCount,
                var(settings, "SLURM_LAUNCH_NODE_IPADDR"));
    }

    /** Returns "jobid.stepid", as SLURM writes a step. */
    String name() {
        return jobId + "." + stepId;
    }

    /** Returns the job id that names the step's shared-memory directory on each node. */
    String shmJobId() {
        return "slurm-" + (cluster.isEmpty() ? "" : cluster + "-") + name();
    }

    /** Returns the name of the step's rendezvous file: {@code [cluster.]jobid.stepid}. */
    String fileName() {
        return (cluster.isEmpty() ? "" : cluster + ".") + name();
    }

    /** Whether the step runs on one node only (then its rendezvous stays on loopback). */
    boolean oneNode() {
        return nodes == 1;
    }

    private static String var(Settings settings, String variable) {
        String v = settings.get(ProcessEnv.setting(variable), null);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static int number(String v, String variable) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new MpiException(ErrorClass.ARG, variable + "=" + v + " is not a number");
        }
    }
}
