"""`make cluster-verify` (`python -m bootstrap.verify`): checks the cluster that `make cluster` made.

checks.py holds the verdicts (pure functions of API objects), journey.py the user journey over the
NodePorts, command.py the command that runs both against the Minikube profile through bootstrap.kube.
"""
