"""What the Minikube node must schedule: the CPU and memory requests of the rendered manifests plus those of the
pods Minikube and Argo CD run, against the size a setting gives the node.

Minikube's node reserves nothing: its kubelet configuration (kubernetes/minikube v1.38.1,
pkg/minikube/bootstrapper/bsutil/ktmpl/v1beta4.go) sets no kubeReserved or systemReserved, and an evictionHard
of disk signals only, which replaces the kubelet's default `memory.available<100Mi`; so allocatable = capacity
(kubernetes/minikube#16635 shows it: allocatable = host memory - the system-reserved passed by hand). With the
docker driver that capacity is even the host's, not --cpus/--memory; the size given is the tightest case (a VM
driver, or a host of that size), and the one whose limits the processes really get.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from tests.support.manifests import Obj, of_kind, pod_spec, service_of, workloads

MI = 1024 * 1024


@dataclass(frozen=True)
class Requests:
    cpu: int = 0  # millicores
    memory: int = 0  # MiB

    def __add__(self, other: Requests) -> Requests:
        return Requests(self.cpu + other.cpu, self.memory + other.memory)

    def __mul__(self, count: int) -> Requests:
        return Requests(self.cpu * count, self.memory * count)

    def fits(self, size: Requests) -> bool:
        return self.cpu <= size.cpu and self.memory <= size.memory


def larger(a: Requests, b: Requests) -> Requests:
    return Requests(max(a.cpu, b.cpu), max(a.memory, b.memory))


# The pods Minikube runs besides ours, with the requests their manifests set, as `minikube start --cni=calico
# --addons=metrics-server` creates them.
SYSTEM_PODS: dict[str, Requests] = {
    # kubernetes/kubernetes cmd/kubeadm/app/phases/controlplane/manifests.go (GetStaticPodSpecs, at ad7cb45):
    # staticpodutil.ComponentResources("250m" / "200m" / "100m"), a CPU request and nothing else.
    "kube-apiserver": Requests(cpu=250),
    "kube-controller-manager": Requests(cpu=200),
    "kube-scheduler": Requests(cpu=100),
    # kubernetes/kubernetes cmd/kubeadm/app/phases/etcd/local.go (GetEtcdPodSpec; read in the copy of the fork
    # siyuanfoundation/kubernetes at 8a16abe, the upstream copy stored is older): cpu 100m, memory 100Mi.
    "etcd": Requests(cpu=100, memory=100),
    # kubeadm's CoreDNS Deployment (kubernetes/kubernetes cmd/kubeadm/app/phases/addons/dns/manifests.go, at
    # 008b365): cpu 100m, memory 70Mi per pod; Minikube scales it from 2 pods to 1 (kubernetes/minikube v1.38.1
    # pkg/minikube/node/start.go).
    "coredns": Requests(cpu=100, memory=70),
    # kubernetes/minikube v1.38.1 pkg/minikube/cni/calico.yaml: calico-node requests cpu 250m (and nothing else;
    # calico-kube-controllers requests nothing).
    "calico-node": Requests(cpu=250),
    # kubernetes/minikube v1.38.1 deploy/addons/metrics-server/metrics-server-deployment.yaml.tmpl: 100m, 200Mi.
    "metrics-server": Requests(cpu=100, memory=200),
}
# Requesting nothing, so the scheduler counts them as 0 (they still use memory: what a size leaves spare is for
# them): kube-proxy (kubeadm's DaemonSet), storage-provisioner (Minikube's addon), calico-kube-controllers, and
# every container of Argo CD v3.5.1 (argoproj/argo-cd manifests/install.yaml at v3.5.1: no `resources` on any
# of its 10 containers in 7 workloads).


def cpu_millicores(quantity: str | int | float) -> int:
    text = str(quantity)
    return math.ceil(float(text[:-1])) if text.endswith("m") else math.ceil(float(text) * 1000)


_SUFFIX = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
_QUANTITY = re.compile(r"^([0-9.]+)([A-Za-z]*)$")


def memory_mib(quantity: str | int) -> int:
    """A Kubernetes memory quantity (`192Mi`, `1Gi`, `512M`, bytes) in MiB, rounded up."""
    match = _QUANTITY.match(str(quantity))
    if not match or match[2] not in _SUFFIX and match[2] != "":
        raise ValueError(f"not a memory quantity: {quantity!r}")
    return math.ceil(float(match[1]) * _SUFFIX.get(match[2], 1) / MI)


def minikube_memory_mib(setting: str) -> int:
    """`minikube start --memory` (`6g`, `4096m`, `4096mb`, a plain number of MB): binary units, as minikube's
    RAMInBytes reads them."""
    match = re.fullmatch(r"(\d+)\s*([bkmgt]?)b?", setting.strip().lower())
    if not match:
        raise ValueError(f"not a minikube memory size: {setting!r}")
    unit = {"b": 1 / MI, "k": 1 / 1024, "": 1, "m": 1, "g": 1024, "t": 1024 * 1024}[match[2]]
    return math.floor(int(match[1]) * unit)


def node_size(cpus: str, memory: str) -> Requests:
    return Requests(cpu=int(cpus) * 1000, memory=minikube_memory_mib(memory))


def pod_requests(workload: Obj) -> Requests:
    """What the scheduler reserves for one pod: its containers' requests, or its largest init container's."""
    spec = pod_spec(workload)
    total, first = Requests(), Requests()
    for container in spec.get("containers") or []:
        asked = (container.get("resources") or {}).get("requests") or {}
        total += Requests(cpu_millicores(asked.get("cpu", 0)), memory_mib(asked.get("memory", 0)))
    for container in spec.get("initContainers") or []:
        asked = (container.get("resources") or {}).get("requests") or {}
        first = larger(first, Requests(cpu_millicores(asked.get("cpu", 0)), memory_mib(asked.get("memory", 0))))
    return larger(total, first)


def _surge(deployment: Obj, replicas: int) -> int:
    """The extra pods a rolling update of the Deployment starts (maxSurge, 25 % by default)."""
    surge = ((deployment["spec"].get("strategy") or {}).get("rollingUpdate") or {}).get("maxSurge", "25%")
    return math.ceil(replicas * int(surge[:-1]) / 100) if isinstance(surge, str) else surge


@dataclass(frozen=True)
class Breakdown:
    """The requests of the rendered workloads, in the groups docs/cluster.md shows."""

    apps: Requests  # the Deployments at their HPA's minReplicas (their `replicas` without an HPA)
    apps_at_maximum: Requests  # the same at the HPAs' maxReplicas
    databases: Requests  # the StatefulSets at their replicas
    backups: Requests  # one pod of each CronJob (see `breakdown`)
    syncing: Requests  # what a sync of every service at once adds (see `breakdown`)
    system: Requests

    @property
    def total(self) -> Requests:
        return self.apps + self.databases + self.backups + self.syncing + self.system

    @property
    def total_at_maximum(self) -> Requests:
        return self.apps_at_maximum + self.databases + self.backups + self.syncing + self.system


def breakdown(docs: list[Obj]) -> Breakdown:
    """The requests of a sync of every service at once, the worst case a steady cluster meets.

    Argo CD syncs the four Applications in parallel (a tag bump of every service does exactly that), so all
    four migration Jobs can run at once. Within one service the Job (wave 1) has finished before its Deployment
    (wave 2) rolls out with maxSurge extra pods, so a service adds the larger of the two, not both.

    The backup CronJobs count too, all at once (concurrencyPolicy Forbid allows one pod each): they share one
    schedule, and nothing stops a sync from starting at that minute; a pod whose requests do not fit then stays
    Pending until its Job's activeDeadlineSeconds ends it, and that night has no backup.
    """
    hpas = {hpa["spec"]["scaleTargetRef"]["name"]: hpa["spec"] for hpa in of_kind(docs, "HorizontalPodAutoscaler")}
    apps = apps_at_maximum = databases = backups = Requests()
    jobs: dict[str, Requests] = {}
    surges: dict[str, Requests] = {}
    for workload in workloads(docs):
        pod, kind, service = pod_requests(workload), workload["kind"], service_of(workload)
        if kind == "Deployment":
            hpa = hpas.get(workload["metadata"]["name"])
            low = hpa.get("minReplicas", 1) if hpa else workload["spec"].get("replicas", 1)
            apps += pod * low
            apps_at_maximum += pod * (hpa["maxReplicas"] if hpa else low)
            surges[service] = surges.get(service, Requests()) + pod * _surge(workload, low)
        elif kind == "Job":
            jobs[service] = jobs.get(service, Requests()) + pod * workload["spec"].get("parallelism", 1)
        elif kind == "CronJob":
            backups += pod
        else:  # StatefulSet
            databases += pod * workload["spec"].get("replicas", 1)
    syncing = Requests()
    for service in jobs.keys() | surges.keys():
        syncing += larger(jobs.get(service, Requests()), surges.get(service, Requests()))
    system = Requests()
    for requests in SYSTEM_PODS.values():
        system += requests
    return Breakdown(apps, apps_at_maximum, databases, backups, syncing, system)
