# Shared steps of the in-process benchmark drivers (sourced by ai-bench.sh and stream-bench.sh).

# Builds the benchmarks module and what it depends on with `package` only, resolving sibling modules from this
# tree's target/ directories (never installing into ~/.m2), and writes its runtime class path (provided scope
# included: the in-process runner and plugins are provided deps) to benchmarks/target/bench-cp.txt.
a6_bench_build() {
  ./mvnw -B -q -ntp -pl benchmarks -am package dependency:build-classpath -DskipTests \
    -Dmdep.includeScope=provided -Dmdep.outputFile=target/bench-cp.txt >/dev/null
}

# The class path for `java -cp` after a6_bench_build.
a6_bench_classpath() {
  echo "benchmarks/target/classes:$(cat benchmarks/target/bench-cp.txt)"
}

# Writes a logback config to $1/logback.xml: the ai-gateway call log (a6.ai.calls, one JSON line per call, on by
# default in the plugin) to $1/ai-calls.log through the runner's BatchingLineAppender (runner/logging), as the shipped
# runner writes its call logs (docs/operations.md, "Logs"); everything else at WARN on stderr.
a6_bench_logback() {
  cat >"$1/logback.xml" <<XML
<configuration>
  <shutdownHook/>
  <appender name="CALLS" class="org.a6suite.logging.BatchingLineAppender">
    <file>$1/ai-calls.log</file>
    <encoder><pattern>%msg%n</pattern></encoder>
  </appender>
  <appender name="ERR" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <logger name="a6.ai.calls" level="INFO" additivity="false"><appender-ref ref="CALLS"/></logger>
  <root level="WARN"><appender-ref ref="ERR"/></root>
</configuration>
XML
}
