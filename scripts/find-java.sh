# shellcheck shell=bash
# Finds the tools mpi4j's scripts need. Source this file, then call:
#   mpi4j_find_java    exports JAVA_HOME as a JDK 25 or newer (and puts its bin first on PATH),
#                      or says what to install and returns 1
#   mpi4j_find_maven   checks that mvn is on the PATH and exports MAVEN_OPTS for JDK 25,
#                      or says what to install and returns 1
# A JDK is looked for in $JAVA_HOME first, then /usr/lib/jvm/*, ~/.sdkman/candidates/java/*,
# /opt/java*, macOS's /Library/Java/JavaVirtualMachines, and the javac on the PATH; the newest
# one found wins.

MPI4J_MIN_JAVA=25

# Sets mpi4j_v to the feature version of the JDK at $1 (25 for "25.0.3", 8 for "1.8.0_292"),
# or to "" if there is none. Reads the release file with the shell alone: it runs on every
# mpi4j command, where each subprocess costs milliseconds.
mpi4j_java_version() {
    local home=$1 line v=""
    mpi4j_v=""
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
    # The release file says it without starting a JVM; ask java itself only if it is missing.
    if [ -r "$home/release" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            case $line in
                JAVA_VERSION=*)
                    v=${line#JAVA_VERSION=}
                    v=${v#\"}
                    v=${v%%\"*}
                    break
                    ;;
            esac
        done <"$home/release"
    fi
    if [ -z "$v" ]; then
        v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
    fi
    case $v in 1.*) v=${v#1.} ;; esac
    mpi4j_v=${v%%[!0-9]*}
}

mpi4j_find_java() {
    local home v best="" best_v=0 candidates=()
    if [ -n "${JAVA_HOME:-}" ]; then
        mpi4j_java_version "$JAVA_HOME"
        v=$mpi4j_v
        if [ -n "$v" ] && [ "$v" -ge "$MPI4J_MIN_JAVA" ]; then
            best=$JAVA_HOME
        fi
    fi
    if [ -z "$best" ]; then
        candidates=(/usr/lib/jvm/* "${HOME:-/nonexistent}"/.sdkman/candidates/java/* /opt/java* /opt/java*/*
            /Library/Java/JavaVirtualMachines/*/Contents/Home)
        if command -v javac >/dev/null 2>&1; then
            candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
        fi
        for home in "${candidates[@]}"; do
            [ -d "$home" ] || continue
            mpi4j_java_version "$home"
            v=$mpi4j_v
            if [ -n "$v" ] && [ "$v" -ge "$MPI4J_MIN_JAVA" ] && [ "$v" -gt "$best_v" ]; then
                best=$home
                best_v=$v
            fi
        done
    fi
    if [ -z "$best" ]; then
        echo "mpi4j needs a JDK $MPI4J_MIN_JAVA or newer; none found. Install one (e.g. Temurin $MPI4J_MIN_JAVA) and set JAVA_HOME." >&2
        return 1
    fi
    export JAVA_HOME=$best
    export PATH="$JAVA_HOME/bin:$PATH"
}

mpi4j_find_maven() {
    if ! command -v mvn >/dev/null 2>&1; then
        echo "mpi4j builds with Apache Maven, and mvn is not on the PATH. Install it (e.g. apt-get install maven)." >&2
        return 1
    fi
    # Maven's own Guice uses sun.misc.Unsafe, which JDK 25 warns about unless this is set.
    case " ${MAVEN_OPTS:-} " in
        *" --sun-misc-unsafe-memory-access="*) ;;
        *) export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow${MAVEN_OPTS:+ $MAVEN_OPTS}" ;;
    esac
}
