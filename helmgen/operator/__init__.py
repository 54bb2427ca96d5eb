"""Operator mode: IstioOperator resources in a cluster reconciled into Helm releases (kopf).

Layers, top down: `controller` (kopf handlers, the only module importing kopf's decorators) > `reconcile` (one
resource through the CLI's install and uninstall path) > `resource` (pure: the resource as helmgen input, its
status, release records, backoff). `connection` turns a kubeconfig or the pod's service account into what kopf
and helm both use; `init` installs charts/istio-operator.
"""
