# The runner's files for APISIX pods on Kubernetes: a JRE and the runner jar under /a6, nothing that runs by itself.
# An init container of the APISIX pod copies /a6 into a shared emptyDir mounted at /opt/a6 (apisix-values.yaml), so
# the pod keeps the official apache/apisix image. Build from the repository root:
#   docker build -f deploy/kubernetes/runner-files.Dockerfile -t <registry>/a6-runner-files:0.1.0 .
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -ntp -pl runner/dist -am package -DskipTests \
 && cp runner/dist/target/a6-runner.jar /a6-runner.jar

FROM eclipse-temurin:21-jre AS jre

# busybox for the init container's `cp`; the JRE is glibc-linked, as the Debian-based APISIX image it runs in.
FROM busybox:1.37.0
COPY --from=jre /opt/java/openjdk /a6/jre
COPY --from=build /a6-runner.jar /a6/a6-runner.jar
RUN mkdir -p /a6/plugins
