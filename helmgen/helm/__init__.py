"""Everything that starts helm lives in this package; no other module of helmgen starts a process.

  template.py   finding helm (version check), `helm template` (parallel, read-only, direct argv)
  batch.py      releases of one chart, release name and namespace in one `helm template` run
  releases.py   release operations (upgrade --install, rollback, uninstall, history, ...) through pyhelm3

Helm 3 / Helm 4 differences are handled in these modules and nowhere else.
"""
from helmgen.helm.template import (ChartRejected, Helm, HelmError, MIN_VERSION, _number_defaults,  # noqa: F401
                                   find_helm, helm_env, template, template_argv, template_post_rendered,
                                   values_for)
from helmgen.helm.batch import batchable, template_many  # noqa: F401
