"""Everything imperative that must happen once: Minikube, the DB secrets, Argo CD and the root Application;
and beside it, the commands that share its code: the cluster checks, the image builds, the diagnostics.

Entry points (the Makefile's targets; see docs/cluster.md and bootstrap/README.md):
`python -m bootstrap.cluster {up,down,sync} [--dry-run]` (cluster, cluster-down, sync),
`python -m bootstrap.verify` (cluster-verify), `python -m bootstrap.build_images` (images) and
`python3 -m bootstrap.diagnostics` (e2e.yml, on failure).

May import: the standard library, registry, PyYAML, scripts.delivery (the image entries and the tag bump), and,
only inside the functions that talk to a cluster, the kubernetes client (kube.py) and requests (verify/).
Never scripts.stack, scripts.bench, service_core or the services. diagnostics.py, config.py, prereqs.py and
minikube.py take the standard library and registry only: e2e.yml runs diagnostics with a bare python3.
Errors live in the leaf module errors.py, so that no import circles (tests/test_imports.py).
"""
