package org.mpi4j.junit;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;
import org.mpi4j.Comm;
import org.mpi4j.JobAbortedException;
import org.mpi4j.RankAction;

/**
 * The engine behind {@link MpiTest}: one invocation per (engine variant × rank count), each
 * running the test method on every rank of a fresh job.
 *
 * <p>How an invocation runs: JUnit resolves the method's parameters, the {@code Comm} one to
 * a placeholder (null: a {@code Comm} exists only inside a job). The interceptor then skips
 * JUnit's own call of the method and instead starts a job, calling the method reflectively
 * on every rank with that rank's world in place of the placeholder. A rank's exception
 * aborts the job; the invocation rethrows it, so the report shows the rank's own assertion.
 */
final class MpiTestExtension implements TestTemplateInvocationContextProvider {

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> AnnotationSupport.isAnnotated(m, MpiTest.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        Method method = context.getRequiredTestMethod();
        MpiTest spec = AnnotationSupport.findAnnotation(method, MpiTest.class).orElseThrow();
        String where = "@MpiTest on " + method.getDeclaringClass().getName() + "." + method.getName() + "()";
        int[] ranks = checkRanks(spec.ranks(), where);
        if (spec.timeoutSeconds() < 1) {
            throw new ExtensionConfigurationException(where + ": timeoutSeconds < 1: " + spec.timeoutSeconds());
        }
        int commIndex = commParameter(method, where);
        List<EngineVariants.Variant> variants = variants(spec.engines(), context, where);
        Optional<Long> fixedSeed = context.getConfigurationParameter(EngineVariants.SEED)
                .map(s -> parseSeed(s, where));
        Duration timeout = Duration.ofSeconds(spec.timeoutSeconds());

        List<TestTemplateInvocationContext> out = new ArrayList<>();
        for (EngineVariants.Variant v : variants) {
            for (int n : ranks) {
                long seed = v.seeded() ? fixedSeed.orElseGet(() -> ThreadLocalRandom.current().nextLong()) : 0L;
                out.add(new RankCountInvocation(v, n, seed, timeout, commIndex));
            }
        }
        return out.stream();
    }

    private static int[] checkRanks(int[] ranks, String where) {
        if (ranks.length == 0) {
            throw new ExtensionConfigurationException(where + ": ranks is empty; give at least one rank count, e.g. ranks = {1, 2, 4}");
        }
        Set<Integer> seen = new LinkedHashSet<>();
        for (int n : ranks) {
            if (n < 1) {
                throw new ExtensionConfigurationException(where + ": rank count " + n + " < 1 in ranks = "
                        + Arrays.toString(ranks));
            }
            if (!seen.add(n)) {
                throw new ExtensionConfigurationException(where + ": rank count " + n + " is listed twice in ranks = "
                        + Arrays.toString(ranks));
            }
        }
        return ranks.clone();
    }

    /** Returns the index of the method's one {@code Comm} parameter. */
    private static int commParameter(Method method, String where) {
        Parameter[] ps = method.getParameters();
        int index = -1;
        for (int i = 0; i < ps.length; i++) {
            if (ps[i].getType() == Comm.class) {
                if (index >= 0) {
                    throw new ExtensionConfigurationException(where + ": the method has more than one Comm parameter "
                            + "(parameters " + index + " and " + i + "); it takes exactly one, the rank's world");
                }
                index = i;
            }
        }
        if (index < 0) {
            throw new ExtensionConfigurationException(where + ": the method has no Comm parameter; declare exactly one, "
                    + "e.g. void " + method.getName() + "(Comm world), to receive each rank's world");
        }
        return index;
    }

    private static List<EngineVariants.Variant> variants(String[] named, ExtensionContext context, String where) {
        List<String> names;
        String source;
        if (named.length > 0) {
            names = Arrays.asList(named);
            source = "engines = " + Arrays.toString(named);
        } else {
            String configured = context.getConfigurationParameter(EngineVariants.ENGINES)
                    .orElse(EngineVariants.DEFAULT_ENGINES);
            names = Arrays.stream(configured.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            source = EngineVariants.ENGINES + "=" + configured;
            if (names.isEmpty()) {
                throw new ExtensionConfigurationException(where + ": " + source + " names no engine; known engines: "
                        + EngineVariants.names());
            }
        }
        List<EngineVariants.Variant> out = new ArrayList<>();
        for (String name : names) {
            EngineVariants.Variant v = EngineVariants.byName(name.trim());
            if (v == null) {
                throw new ExtensionConfigurationException(where + ": unknown engine '" + name + "' in " + source
                        + "; known engines: " + EngineVariants.names());
            }
            if (!out.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }

    private static long parseSeed(String s, String where) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new ExtensionConfigurationException(where + ": " + EngineVariants.SEED + "=" + s + " is not a long");
        }
    }

    /** One (engine variant, rank count) invocation. */
    private record RankCountInvocation(EngineVariants.Variant variant, int ranks, long seed, Duration timeout, int commIndex)
            implements TestTemplateInvocationContext {

        @Override
        public String getDisplayName(int invocationIndex) {
            String engine = variant.seeded() ? variant.name() + " seed=" + seed : variant.name();
            return "[" + engine + "] " + ranks + (ranks == 1 ? " rank" : " ranks");
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new CommPlaceholder(), new RunOnEveryRank(this), (ExecutionCondition) this::available);
        }

        private ConditionEvaluationResult available(ExtensionContext context) {
            if (variant.rankCounts() != null && !variant.rankCounts().contains(ranks)) {
                return ConditionEvaluationResult.disabled("engine " + variant.name() + " runs at "
                        + variant.rankCounts() + " ranks only (" + EngineVariants.PROCESS_RANKS + ")");
            }
            if (variant.methodLauncher() != null && context.getRequiredTestMethod().getParameterCount() != 1) {
                return ConditionEvaluationResult.disabled("engine " + variant.name()
                        + " runs methods whose only parameter is the Comm");
            }
            String missing = variant.missing().get();
            return missing == null
                    ? ConditionEvaluationResult.enabled("engine " + variant.name() + " is available")
                    : ConditionEvaluationResult.disabled("engine " + variant.name() + " is not available here: " + missing);
        }
    }

    /**
     * Resolves the test method's {@code Comm} parameter to null; each rank's call gets its own
     * world instead. Lifecycle methods ({@code @BeforeEach}) run outside the job and get no
     * {@code Comm}.
     */
    private static final class CommPlaceholder implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
            return parameterContext.getParameter().getType() == Comm.class
                    && extensionContext.getTestMethod().map(m -> m.equals(parameterContext.getDeclaringExecutable()))
                            .orElse(false);
        }

        @Override
        public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
            return null;
        }
    }

    /** Replaces JUnit's single call of the test method by a job that calls it on every rank. */
    private record RunOnEveryRank(RankCountInvocation invocation) implements InvocationInterceptor {

        @Override
        public void interceptTestTemplateMethod(Invocation<Void> junitCall,
                ReflectiveInvocationContext<Method> call, ExtensionContext context) throws Throwable {
            junitCall.skip();
            Method method = call.getExecutable();
            Object target = call.getTarget().orElse(null);
            Object[] args = call.getArguments().toArray();
            method.trySetAccessible();
            EngineVariants.Variant v = invocation.variant();
            if (v.seeded()) {
                System.out.println("hostile transport seed=" + invocation.seed() + " for " + context.getDisplayName()
                        + " of " + method.getDeclaringClass().getName() + "." + method.getName()
                        + " (replay with -D" + EngineVariants.SEED + "=" + invocation.seed() + ")");
            }
            RankAction body = world -> {
                Object[] mine = args.clone();
                mine[invocation.commIndex()] = world;
                try {
                    method.invoke(target, mine);
                } catch (InvocationTargetException e) {
                    throw MpiTestExtension.<RuntimeException>sneaky(e.getCause());
                }
            };
            try {
                if (v.methodLauncher() != null) {
                    v.methodLauncher().run(invocation.ranks(), invocation.seed(), invocation.timeout(), method);
                } else {
                    v.launcher().run(invocation.ranks(), invocation.seed(), invocation.timeout(), body);
                }
            } catch (Throwable t) {
                Throwable failure = t instanceof JobAbortedException e ? primaryCause(e) : t;
                if (v.seeded()) {
                    failure.addSuppressed(new Replay(v.name() + " seed=" + invocation.seed()
                            + ": replay with -D" + EngineVariants.SEED + "=" + invocation.seed()));
                }
                throw failure;
            }
        }
    }

    /**
     * Returns what the test should fail with when the job aborted: the failed rank's own
     * exception (an assertion, say), with the job's report ("rank 2 failed ...") attached
     * as suppressed; or the job's exception itself when the rank left no cause (it called
     * {@code abort}).
     */
    static Throwable primaryCause(JobAbortedException e) {
        Throwable cause = e.getCause();
        if (cause == null) {
            return e;
        }
        // The copy has no cause, so the report does not print the rank's exception twice.
        JobAbortedException report = new JobAbortedException(e.failedRank(), e.errorCode(), e.getMessage(), null);
        report.setStackTrace(e.getStackTrace());
        for (Throwable s : e.getSuppressed()) {
            report.addSuppressed(s);
        }
        cause.addSuppressed(report);
        return cause;
    }

    /** Attached to the failure of a seeded invocation, so the report itself tells how to replay it. */
    static final class Replay extends RuntimeException {
        Replay(String message) {
            super(message, null, false, false);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
