"""Everything imperative that must happen once: Minikube, the DB secrets, Argo CD and the root Application.

Entry point: `python -m bootstrap.cluster {up,down,sync} [--dry-run]` (the Makefile's `cluster`,
`cluster-down` and `sync` targets). See docs/cluster.md.
"""
