#!/usr/bin/env bash
# Runs the JMH benchmarks on a JDK 25 found by scripts/find-java.sh, e.g.
#   mpi4j-benchmarks/jmh.sh CodecBench            (build first with ./build)
# Any JMH option may follow: -p payload=POINT, -f 1, -rf csv, ...
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
. "$(dirname "$here")/scripts/find-java.sh"
mpi4j_find_java
jar="$here/target/benchmarks.jar"
[ -f "$jar" ] || { echo "build first: ./build" >&2; exit 1; }
exec "$JAVA_HOME/bin/java" --add-opens=java.base/java.lang.invoke=ALL-UNNAMED -jar "$jar" -jvm "$JAVA_HOME/bin/java" "$@"
