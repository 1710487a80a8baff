"""Prerequisites: each missing one named in one sentence with how to get it; lookups only on the given PATH."""

from __future__ import annotations

from pathlib import Path

from bootstrap.prereqs import DRIVER_HINT, KUBECTL_HINT, MINIKUBE_HINT, find_driver, find_kubectl, find_tools
from tests.bootstrap.programs import make_bin


def test_nothing_on_path_names_all_three(tmp_path: Path) -> None:
    tools = find_tools({"PATH": str(tmp_path)}, str(tmp_path / "python"))
    assert (tools.minikube, tools.kubectl, tools.driver) == (None, None, None)
    assert tools.missing == (MINIKUBE_HINT, KUBECTL_HINT, DRIVER_HINT)
    assert "https://minikube.sigs.k8s.io/docs/start/" in MINIKUBE_HINT
    assert "make venv" in KUBECTL_HINT
    assert "https://docs.docker.com/get-docker/" in DRIVER_HINT and "MINIKUBE_DRIVER" in DRIVER_HINT


def test_everything_found(tmp_path: Path) -> None:
    bin_dir = make_bin(tmp_path / "bin", {"minikube": "", "kubectl": "", "podman": ""}, tmp_path / "log")
    tools = find_tools({"PATH": str(bin_dir)}, "/nowhere/python")
    assert tools.missing == ()
    assert (tools.minikube, tools.kubectl, tools.driver) == (
        str(bin_dir / "minikube"),
        str(bin_dir / "kubectl"),
        "podman",
    )


def test_the_venv_kubectl_comes_before_the_one_on_path(tmp_path: Path) -> None:
    venv = make_bin(tmp_path / "venv", {"kubectl": ""}, tmp_path / "log")
    other = make_bin(tmp_path / "other", {"kubectl": ""}, tmp_path / "log")
    assert find_kubectl({"PATH": str(other)}, str(venv / "python")) == str(venv / "kubectl")
    assert find_kubectl({"PATH": str(other)}, str(tmp_path / "python")) == str(other / "kubectl")


def test_driver_detection_order_and_minikube_driver(tmp_path: Path) -> None:
    bin_dir = make_bin(tmp_path / "bin", {"virsh": "", "docker": ""}, tmp_path / "log")
    path = str(bin_dir)
    assert find_driver({"PATH": path}) == ("docker", None)
    assert find_driver({"PATH": path, "MINIKUBE_DRIVER": "kvm2"}) == ("kvm2", None)
    assert find_driver({"PATH": path, "MINIKUBE_DRIVER": "none"}) == ("none", None)  # not ours to judge
    driver, problem = find_driver({"PATH": path, "MINIKUBE_DRIVER": "podman"})
    assert driver is None
    assert problem == (
        "MINIKUBE_DRIVER is podman, but podman is not on PATH: install it"
        " (see https://minikube.sigs.k8s.io/docs/drivers/podman/) or choose another driver."
    )


def test_down_needs_only_minikube(tmp_path: Path) -> None:
    tools = find_tools({"PATH": str(tmp_path)}, str(tmp_path / "python"), need_kubectl=False, need_driver=False)
    assert tools.missing == (MINIKUBE_HINT,)
