package org.mpi4j;

/** What the codecs share: which JDK types strict mode always allows, and error wording. */
final class CodecSupport {
    private CodecSupport() {
    }

    /** Types any allow-list admits: boxed primitives, strings, and the JDK's collections. */
    static boolean isBasicJdkType(Class<?> c) {
        if (c.isPrimitive() || c.isEnum() && c.getName().startsWith("java.") || c == Loc.class) {
            return true;
        }
        String n = c.getName();
        return n.startsWith("java.lang.") && (Number.class.isAssignableFrom(c) || c == String.class
                || c == Boolean.class || c == Character.class || c == Object.class)
                || n.startsWith("java.util.") && (java.util.Collection.class.isAssignableFrom(c)
                || java.util.Map.class.isAssignableFrom(c) || java.util.Map.Entry.class.isAssignableFrom(c))
                || n.startsWith("java.math.") || n.startsWith("java.time.");
    }

    static String describe(Object value) {
        return value == null ? "null" : "a " + value.getClass().getName();
    }
}
