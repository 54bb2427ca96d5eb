"""Installing, upgrading and removing the releases of a plan on real clusters.

  model.py      settings and outcomes (data)
  graph.py      runs releases as a dependency graph, as parallel as the needs allow
  release.py    one release: recover a run killed mid-way, upgrade --install, wait, roll back on failure
  progress.py   live progress per release (a table on a terminal, plain lines otherwise)
  install.py    the whole run per cluster: pre-flight render, lock, graph, summary
  remove.py     uninstall in reverse order (CRDs kept unless purged)
  status.py     releases and the health of their workloads

helm is run only through helmgen.helm.releases; the cluster is read through helmgen.kube.
"""
