#!/usr/bin/env bash
# Static checks of deploy/kubernetes/ (no cluster runs on CI machines): parses the APISIX chart values, the
# optimizer's manifests and the runner-files Dockerfile, and checks that they agree with each other and with the
# repository's configuration:
#  1. the runner's environment: every variable it needs on Kubernetes is set in extraEnvVars, listed in
#     apisix.nginx.envs (nginx clears everything else), and known to apisix-conf/config.yaml's nginx_config.envs; the
#     lane is on the pod's loopback at 127.0.0.1:9093; the health reporter's URLs, refresh interval and etcd agree
#     with the chart's prometheus, control and etcd values and with the optimizer's etcd;
#  2. every image (chart values, manifests, Dockerfile stages) has a pinned tag, never none or `latest`;
#  3. the Service's targetPort is a port of the Deployment's container, which is the optimizer's server.port, and the
#     probes use it;
#  4. extPlugin.cmd's java and jar live in the volume the init container fills, where its image puts them;
#  5. the optimizer runs at least 2 replicas with leader election on, a lease TTL, and the pod name as replica id;
#     every A6_OPTIMIZER_* variable is a property docs/optimizer.md documents.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
# PyYAML: the python3 on PATH may already have it; otherwise Debian's python3 with Debian's python3-yaml.
py=python3
if ! "$py" -c 'import yaml' 2>/dev/null; then
  py=/usr/bin/python3
  a6_ensure_packages "scripts/check-kubernetes.sh" \
    "/usr/lib/python3/dist-packages/yaml/__init__.py:python3-yaml:parses the Kubernetes manifests (PyYAML)"
fi
exec "$py" - <<'PY'
import re, sys, yaml

DIR = "deploy/kubernetes"
VALUES, MANIFESTS, DOCKERFILE = f"{DIR}/apisix-values.yaml", f"{DIR}/optimizer.yaml", f"{DIR}/runner-files.Dockerfile"
# What the runner needs on Kubernetes: the lane (docs/lane.md), its plugins directory (docs/runner.md) and a health
# reporter that publishes to the optimizer's etcd from APISIX's metrics and Control API (docs/health-reporter.md).
REQUIRED = ["A6_PLUGINS_DIR", "A6_LANE_ADDRESS", "A6_HEALTH_ETCD_ENDPOINTS", "A6_HEALTH_NODE_ID",
            "A6_HEALTH_PROMETHEUS_URL", "A6_HEALTH_CONTROL_URL", "A6_HEALTH_PROMETHEUS_REFRESH_INTERVAL"]
LANE = "127.0.0.1:9093"
errors = []

def fail(msg):
    errors.append(msg)

def dig(node, path, where):
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            fail(f"{where}: {path} is missing")
            return None
        node = node[key]
    return node

values = yaml.safe_load(open(VALUES))
docs = {d["kind"]: d for d in yaml.safe_load_all(open(MANIFESTS)) if d}
for kind in ("ConfigMap", "Deployment", "Service"):
    if kind not in docs:
        sys.exit(f"check-kubernetes: {MANIFESTS} has no {kind}")
deployment, service, configmap = docs["Deployment"], docs["Service"], docs["ConfigMap"]
app_yaml = (configmap.get("data") or {}).get("application.yaml")
if not app_yaml:
    fail(f"{MANIFESTS}: the ConfigMap has no data application.yaml (the optimizer's configuration)")
app = yaml.safe_load(app_yaml or "{}")
pod = deployment["spec"]["template"]["spec"]
container = pod["containers"][0]
conf = yaml.safe_load(open("apisix-conf/config.yaml"))

# 1. the runner's environment
env = {e["name"]: e for e in values.get("extraEnvVars") or []}
passed = set(dig(values, "apisix.nginx.envs", VALUES) or [])
known = set(conf["nginx_config"]["envs"])
for name in REQUIRED:
    if name not in env:
        fail(f"{VALUES}: extraEnvVars does not set {name} (the runner needs it on Kubernetes)")
for name, e in env.items():
    if "value" not in e and "valueFrom" not in e:
        fail(f"{VALUES}: extraEnvVars {name} has neither value nor valueFrom")
    if name not in passed:
        fail(f"{VALUES}: {name} is set but not in apisix.nginx.envs (expected: listed, or nginx never passes it on)")
    if name.startswith("A6_") and name not in known:
        fail(f"{VALUES}: {name} is not a variable apisix-conf/config.yaml's nginx_config.envs knows (a typo?)")
def value(name):
    return str(env.get(name, {}).get("value", ""))
if env.get("A6_LANE_ADDRESS") and value("A6_LANE_ADDRESS") != LANE:
    fail(f"{VALUES}: A6_LANE_ADDRESS: {value('A6_LANE_ADDRESS')} (expected: {LANE}, the lane on the pod's loopback)")
prom_port, prom_path = dig(values, "apisix.prometheus.containerPort", VALUES), dig(values, "apisix.prometheus.path", VALUES)
if dig(values, "apisix.prometheus.enabled", VALUES) is not True:
    fail(f"{VALUES}: apisix.prometheus.enabled must be true (the health reporter's per-node metrics)")
if env.get("A6_HEALTH_PROMETHEUS_URL") and value("A6_HEALTH_PROMETHEUS_URL") != f"http://127.0.0.1:{prom_port}{prom_path}":
    fail(f"{VALUES}: A6_HEALTH_PROMETHEUS_URL: {value('A6_HEALTH_PROMETHEUS_URL')} (expected: "
         f"http://127.0.0.1:{prom_port}{prom_path}, apisix.prometheus's port and path)")
control = f"http://{dig(values, 'control.service.ip', VALUES)}:{dig(values, 'control.service.port', VALUES)}/v1/healthcheck"
if dig(values, "control.enabled", VALUES) is not True:
    fail(f"{VALUES}: control.enabled must be true (the health reporter reads the Control API)")
if env.get("A6_HEALTH_CONTROL_URL") and value("A6_HEALTH_CONTROL_URL") != control:
    fail(f"{VALUES}: A6_HEALTH_CONTROL_URL: {value('A6_HEALTH_CONTROL_URL')} (expected: {control})")
refresh = dig(values, "apisix.pluginAttrs.prometheus.refresh_interval", VALUES)
if env.get("A6_HEALTH_PROMETHEUS_REFRESH_INTERVAL") and value("A6_HEALTH_PROMETHEUS_REFRESH_INTERVAL") != f"{refresh}s":
    fail(f"{VALUES}: A6_HEALTH_PROMETHEUS_REFRESH_INTERVAL: {value('A6_HEALTH_PROMETHEUS_REFRESH_INTERVAL')} "
         f"(expected: {refresh}s, apisix.pluginAttrs.prometheus.refresh_interval)")
node_id = env.get("A6_HEALTH_NODE_ID", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
if env.get("A6_HEALTH_NODE_ID") and node_id != "metadata.name":
    fail(f"{VALUES}: A6_HEALTH_NODE_ID must come from fieldRef metadata.name (one health document per pod)")
apisix_etcd = [str(h) for h in dig(values, "externalEtcd.host", VALUES) or []]
optimizer_etcd = ((app.get("a6") or {}).get("optimizer") or {}).get("etcd", {}).get("endpoints")
optimizer_etcd = [optimizer_etcd] if isinstance(optimizer_etcd, str) else list(optimizer_etcd or [])
health_etcd = [h for h in value("A6_HEALTH_ETCD_ENDPOINTS").split(",") if h]
if values.get("etcd", {}).get("enabled") is not False:
    fail(f"{VALUES}: etcd.enabled must be false: APISIX, its runners and the optimizer share one external etcd")
for name, hosts in (("A6_HEALTH_ETCD_ENDPOINTS", health_etcd), ("the optimizer's a6.optimizer.etcd.endpoints", optimizer_etcd)):
    if sorted(hosts) != sorted(apisix_etcd):
        fail(f"{name}: {hosts} (expected: externalEtcd.host {apisix_etcd}, the etcd APISIX uses)")

# 2. pinned images
def pinned(image, where):
    ref = image.split("@")[0]
    tag = ref.rsplit(":", 1)[1] if ":" in ref.rsplit("/", 1)[-1] else None
    if "@sha256:" not in image and (not tag or tag == "latest"):
        fail(f"{where}: image {image} (expected: a pinned tag, not none or latest)")
tag = str(dig(values, "image.tag", VALUES) or "")
pinned(f"{dig(values, 'image.repository', VALUES)}:{tag}" if tag else str(values["image"]["repository"]), f"{VALUES} image")
for c in values.get("extraInitContainers") or []:
    pinned(c["image"], f"{VALUES} extraInitContainers {c['name']}")
for c in pod.get("initContainers", []) + pod["containers"]:
    pinned(c["image"], f"{MANIFESTS} container {c['name']}")
dockerfile = open(DOCKERFILE).read()
for image in re.findall(r"^FROM\s+(\S+)", dockerfile, re.M):
    pinned(image, DOCKERFILE)

# 3. ports: Service -> Deployment -> server.port
ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
server_port = (app.get("server") or {}).get("port")
if server_port not in ports.values():
    fail(f"{MANIFESTS}: server.port {server_port} is not a containerPort of the Deployment ({sorted(ports.values())})")
def resolve(port):
    return ports.get(port) if isinstance(port, str) else port
for p in service["spec"]["ports"]:
    if resolve(p.get("targetPort", p["port"])) != server_port:
        fail(f"{MANIFESTS}: Service port {p['port']} targets {p.get('targetPort')} = "
             f"{resolve(p.get('targetPort', p['port']))} (expected: the container's "
             f"port {server_port}, the optimizer's server.port)")
if service["spec"]["selector"].items() - deployment["spec"]["template"]["metadata"]["labels"].items():
    fail(f"{MANIFESTS}: the Service's selector does not match the Deployment's pod labels")
for probe in ("readinessProbe", "livenessProbe"):
    get = container.get(probe, {}).get("httpGet")
    if not get or resolve(get["port"]) != server_port:
        fail(f"{MANIFESTS}: {probe} must be an httpGet on the optimizer's port {server_port}")

# 4. extPlugin.cmd runs what the init container copied into the shared volume
cmd = dig(values, "apisix.extPlugin.cmd", VALUES) or []
if dig(values, "apisix.extPlugin.enabled", VALUES) is not True:
    fail(f"{VALUES}: apisix.extPlugin.enabled must be true")
mounts = {m["name"]: m["mountPath"].rstrip("/") for m in values.get("extraVolumeMounts") or []}
copied = {}  # image path -> path in the shared volume, from each init container's `cp -a <src>/. <dst>/`
for c in values.get("extraInitContainers") or []:
    command = c.get("command") or []
    init_mounts = {m["name"]: m["mountPath"].rstrip("/") for m in c.get("volumeMounts", [])}
    if len(command) == 4 and command[:2] == ["cp", "-a"] and command[2].endswith("/."):
        src, dst = command[2][:-2], command[3].rstrip("/")
        for name, path in init_mounts.items():
            if dst == path and name in mounts:
                copied[src] = mounts[name]
sources = [d for d in re.findall(r"^COPY\s+(?:--from=\S+\s+)?\S+\s+(\S+)", dockerfile, re.M) if d.startswith("/")]
def provided(path):
    for src, mount in copied.items():
        if path.startswith(mount + "/"):
            in_image = src + path[len(mount):]
            return any(in_image == s or in_image.startswith(s.rstrip("/") + "/") for s in sources)
    return False
jar = cmd[cmd.index("-jar") + 1] if "-jar" in cmd and cmd.index("-jar") + 1 < len(cmd) else None
if not jar:
    fail(f"{VALUES}: apisix.extPlugin.cmd {cmd} runs no -jar")
for path in filter(None, [cmd[0] if cmd else None, jar]):
    if not provided(path):
        fail(f"{VALUES}: apisix.extPlugin.cmd runs {path}, which no init container copies into a volume mounted "
             f"there from {DOCKERFILE} (copied: {copied}, image paths: {sources})")

# 5. replicas and leader election
leader = ((app.get("a6") or {}).get("optimizer") or {}).get("leader") or {}
if (deployment["spec"].get("replicas") or 1) < 2:
    fail(f"{MANIFESTS}: Deployment replicas {deployment['spec'].get('replicas')} (expected: >= 2, a leader and a follower)")
if leader.get("enabled") is not True:
    fail(f"{MANIFESTS}: a6.optimizer.leader.enabled must be true with several replicas (else each one writes)")
if not re.fullmatch(r"\d+s", str(leader.get("lease-ttl", ""))):
    fail(f"{MANIFESTS}: a6.optimizer.leader.lease-ttl {leader.get('lease-ttl')} (expected: seconds, e.g. 10s)")
cenv = {e["name"]: e for e in container.get("env", [])}
if cenv.get("A6_OPTIMIZER_LEADER_REPLICAID", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") != "metadata.name":
    fail(f"{MANIFESTS}: A6_OPTIMIZER_LEADER_REPLICAID must come from fieldRef metadata.name (the leader's id names its pod)")
documented = {p.replace("-", "") for p in re.findall(r"a6\.optimizer\.[a-z0-9.-]+[a-z0-9]", open("docs/optimizer.md").read())}
for name in cenv:
    if name.startswith("A6_OPTIMIZER_") and name.lower().replace("_", ".") not in documented:
        fail(f"{MANIFESTS}: {name} is no property docs/optimizer.md documents")

if errors:
    for e in errors:
        print(f"check-kubernetes: {e}", file=sys.stderr)
    sys.exit(1)
print(f"check-kubernetes: {DIR} OK (runner env {len(REQUIRED)} required, all passed through nginx; images pinned; "
      f"ports {server_port} agree; extPlugin.cmd in the init container's volume; {deployment['spec']['replicas']} "
      f"optimizer replicas with leader election)")
PY
