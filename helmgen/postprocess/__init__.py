"""Post-processing of rendered manifests: what istioctl does to a chart's output after rendering it
(facts 5), written by us.

Pure: no files, processes or environment. Modules:
  smp.py          Kubernetes strategic merge patch with the real patch metadata (facts 5.2)
  overlays.py     `k8s.overlays`: path-based writes and deletes (facts 5.3)
  k8s_patches.py  `components.*.k8s` fields -> patches on the component's objects (facts 5.1)
  sorting.py      the order and the text of `istioctl manifest generate` output (facts 8.1)
"""
