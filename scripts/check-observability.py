#!/usr/bin/env python3
"""Static checks of the prometheus and grafana services of docker-compose.yml (called by check-compose.sh).

Checks that every file they mount exists and parses (YAML or JSON), that the scrape jobs point at compose services on
ports those services serve, that Grafana's provisioning finds the dashboards where they are mounted and selects the
provisioned data source, and that the images are pinned. Prints the published container ports of the other services
(one a line) for check-compose.sh's port check; problems go to stderr and the exit status is 1.
"""
import json
import os
import re
import sys

import yaml

OWN = ("prometheus", "grafana")
problems = []


def problem(text):
    problems.append(text)


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f) if path.endswith(".json") else yaml.safe_load(f)


compose = load("docker-compose.yml")
services = compose.get("services", {})
mounts = {}  # container path -> host path, per own service
for name in OWN:
    svc = services.get(name)
    if svc is None:
        problem(f"service {name} missing")
        continue
    image = svc.get("image", "")
    if not re.fullmatch(r"[a-z0-9./-]+:[A-Za-z0-9][A-Za-z0-9._-]*", image) or image.endswith(":latest"):
        problem(f"service {name}: image {image!r} is not pinned to a tag")
    for volume in svc.get("volumes", []):
        host, _, rest = volume.partition(":")
        if not host.startswith("./"):
            continue
        target = rest.split(":")[0]
        mounts[(name, target)] = host[2:]
        if not os.path.exists(host):
            problem(f"service {name} mounts {host}, which does not exist")
            continue
        files = [host] if os.path.isfile(host) else [os.path.join(d, f) for d, _, fs in os.walk(host) for f in fs]
        for file in files:
            if not file.endswith((".yml", ".yaml", ".json")):
                continue
            try:
                if load(file) is None:
                    problem(f"{file} is empty")
            except (ValueError, yaml.YAMLError) as e:
                problem(f"{file} does not parse: {e}")


def report_and_exit():
    for p in problems:
        print(f"check-compose: {p}", file=sys.stderr)
    sys.exit(1)


if problems:
    report_and_exit()  # the checks below read those files


def published(name):
    """Container ports a service publishes."""
    return [str(p).split(":")[-1] for p in services.get(name, {}).get("ports", [])]


# Prometheus: listens where it publishes; every scrape target is a compose service on a port it publishes.
prom = services.get("prometheus", {})
listen = [a.split(":")[-1] for a in prom.get("command", []) if a.startswith("--web.listen-address=")]
if listen != published("prometheus"):
    problem(f"prometheus listens on {listen} but publishes {published('prometheus')}")
config_file = mounts.get(("prometheus", "/etc/prometheus/prometheus.yml"))
if config_file is None:
    problem("prometheus: no ./ file mounted at /etc/prometheus/prometheus.yml")
elif os.path.isfile(config_file):
    config = load(config_file)
    jobs = {job.get("job_name"): job for job in config.get("scrape_configs", [])}
    for wanted in ("apisix", "a6-runner", "a6-optimizer"):
        if wanted not in jobs:
            problem(f"{config_file}: no scrape job {wanted}")
    for job_name, job in jobs.items():
        for static in job.get("static_configs", []):
            for target in static.get("targets", []):
                host, _, port = target.partition(":")
                if host not in services:
                    problem(f"{config_file}: job {job_name} scrapes {target}, {host} is no compose service")
                elif port not in published(host):
                    problem(f"{config_file}: job {job_name} scrapes {target}, {host} serves no port {port}")

# Grafana: listens where it publishes; provisioning points at the mounted dashboards and the provisioned datasource.
graf = services.get("grafana", {})
env = graf.get("environment", {})
if [str(env.get("GF_SERVER_HTTP_PORT"))] != published("grafana"):
    problem(f"grafana listens on {env.get('GF_SERVER_HTTP_PORT')} but publishes {published('grafana')}")
dash_dir = mounts.get(("grafana", "/etc/grafana/dashboards"))
prov_dash = mounts.get(("grafana", "/etc/grafana/provisioning/dashboards"))
prov_ds = mounts.get(("grafana", "/etc/grafana/provisioning/datasources"))
if not (dash_dir and prov_dash and prov_ds):
    problem("grafana: dashboards, provisioning/dashboards and provisioning/datasources must be mounted from ./")
elif all(os.path.isdir(d) for d in (dash_dir, prov_dash, prov_ds)):
    paths = [p.get("options", {}).get("path") for f in os.listdir(prov_dash)
             for p in load(os.path.join(prov_dash, f)).get("providers", [])]
    if "/etc/grafana/dashboards" not in paths:
        problem(f"{prov_dash}: no provider reads /etc/grafana/dashboards (providers read {paths})")
    sources = [d for f in os.listdir(prov_ds) for d in load(os.path.join(prov_ds, f)).get("datasources", [])]
    uids = {d.get("uid") for d in sources}
    for d in sources:
        host, _, port = re.sub(r"^https?://", "", d.get("url", "")).partition(":")
        if host not in services or port.rstrip("/") not in published(host):
            problem(f"{prov_ds}: data source {d.get('name')} points at {d.get('url')}, no compose service there")
    home = env.get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH", "")
    if home and not os.path.isfile(os.path.join(dash_dir, os.path.relpath(home, "/etc/grafana/dashboards"))):
        problem(f"grafana: home dashboard {home} is not in {dash_dir}")
    for f in sorted(os.listdir(dash_dir)):
        dash = load(os.path.join(dash_dir, f))
        default_ds = [v.get("current", {}).get("value") for v in dash.get("templating", {}).get("list", [])
                      if v.get("type") == "datasource"]
        if not default_ds or default_ds[0] not in uids:
            problem(f"{dash_dir}/{f}: default data source {default_ds} is not a provisioned uid {sorted(uids)}")
        for panel in dash.get("panels", []):
            if panel.get("type") == "row":
                continue
            exprs = [t.get("expr", "") for t in panel.get("targets", [])]
            if not exprs or not all(e.strip() for e in exprs):
                problem(f"{dash_dir}/{f}: panel {panel.get('title')!r} has a target without a PromQL expr")

for name, svc in services.items():
    if name not in OWN:
        for port in published(name):
            print(port)
if problems:
    report_and_exit()
