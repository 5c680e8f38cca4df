# Sourced by ./depesche and ./mvnw: picks a JDK 21 or newer and exports JAVA_HOME.
# Order: JAVA_HOME if it is new enough, then the newest JDK under the usual
# system locations, then `java` on PATH. Prints one clear line and fails if
# there is none.
depesche_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

depesche_find_jdk() {
  min=21
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(depesche_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge "$min" ]; then export JAVA_HOME; return 0; fi
  fi
  best=""; bestv=0
  for d in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/.sdkman/candidates/java/*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(depesche_java_major "$d")
    [ -n "$v" ] || continue
    if [ "$v" -ge "$min" ] && [ "$v" -gt "$bestv" ]; then best="$d"; bestv="$v"; fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    d=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(depesche_java_major "$d")
    if [ -n "$v" ] && [ "$v" -ge "$min" ]; then best="$d"; fi
  fi
  if [ -z "$best" ]; then
    echo "depesche: no JDK $min or newer found (looked at JAVA_HOME, /usr/lib/jvm and PATH); install one, e.g. 'apt-get install openjdk-21-jdk', or set JAVA_HOME" >&2
    return 1
  fi
  JAVA_HOME="$best"; export JAVA_HOME
}
