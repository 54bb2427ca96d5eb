#!/usr/bin/env python3
"""Regenerate tests/golden_postprocess: golden cases for `components.*.k8s` post-processing, with istioctl's
own output as the expected result.

For every case below (one concern each: one k8s field on a component where it has an effect, or one overlay
form, or one quirk of facts 5.2-5.3), this script
  1. writes the IstioOperator and resolves it with helmgen (`api.resolve`, the Istio release's manifests/);
  2. renders the one component with a k8s block with real helm exactly as `helmgen template --compat istioctl`
     does (`render.istio_jobs`: release `istio`, the component namespace, kube 1.32.0, --include-crds,
     `component_values`), and keeps only the objects the k8s block can touch (its fields' target kind/name,
     each overlay's kind/name, a gateway's Service, plus the case's `extra` non-matching objects);
  3. runs real `istioctl manifest generate --manifests M -f input.yaml` and takes the same objects (by
     apiVersion/kind/namespace/name) from its output: that is expected.yaml;
  4. checks the case means something: a change case must differ from the render, a no-op case must not, and
     every object of the component it did not keep must be left unchanged by istioctl.
helmgen's own post-processing is only run to say, in the summary, whether it agrees; a disagreement never
stops the regeneration (the golden test then fails, which is the point).

Usage (from the repository root):
  .venv/bin/python scripts/regen_postprocess_golden.py           write every case, remove stale case folders
  .venv/bin/python scripts/regen_postprocess_golden.py NAME...   write only these cases
  .venv/bin/python scripts/regen_postprocess_golden.py --check   change nothing; exit 1 if a file would change
Needs helm ($HELMGEN_HELM, else .cache/helm/4.1.4/helm) and istioctl (scripts/build-istioctl builds it);
istioctl runs are cached in .cache/oracle/.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden_postprocess"
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "oracle"), str(ROOT / "tests" / "parity"), str(GOLDEN)]

import pp_golden_io as gio  # noqa: E402
from generate_oracle import run_generate  # noqa: E402
from istioctl_oracle import _run_build_script  # noqa: E402

from helmgen import api, helm, render  # noqa: E402
from helmgen.paths import format_path  # noqa: E402
from helmgen.istio_charts import target_of  # noqa: E402
from helmgen.postprocess.k8s_patches import postprocess  # noqa: E402
from helmgen.postprocess.stream import load_stream, split_documents  # noqa: E402

# Which object each k8s field patches (facts 5.1), written out here rather than read from helmgen.
# None: the component's own workload (Deployment / DaemonSet).
FIELD_KIND = {"hpaSpec": "HorizontalPodAutoscaler", "podDisruptionBudget": "PodDisruptionBudget",
              "service": "Service", "serviceAnnotations": "Service"}


@dataclass(frozen=True)
class Case:
    name: str
    about: str                               # line 1 of input.yaml: the one concern
    spec: str                                # the IstioOperator's `spec:` body
    warnings: tuple[str, ...] = ()           # IstioOperator paths helmgen must warn about
    noop: str = ""                           # why istioctl changes nothing ("" = the output must change)
    extra: tuple[tuple[str, str], ...] = ()  # (kind, name) of objects kept although nothing patches them

    def text(self) -> str:
        body = textwrap.indent(textwrap.dedent(self.spec).strip("\n"), "  ")
        return (f"# {self.about}\napiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\n"
                f"spec:\n{body}\n")


def _block(text: str, depth: int) -> str:
    return textwrap.indent(textwrap.dedent(text).strip("\n"), " " * depth)


def joined(*parts: str) -> str:
    """Pieces of one k8s block, each dedented on its own."""
    return "\n".join(textwrap.dedent(p).strip("\n") for p in parts)


def pilot(k8s: str, values: str = "", top: str = "") -> str:
    """minimal profile: base + istiod, the k8s block on pilot."""
    vals = f"values:\n{_block(values, 2)}\n" if values else ""
    return f"profile: minimal\n{top}{vals}components:\n  pilot:\n    k8s:\n{_block(k8s, 6)}\n"


def ingress(k8s: str) -> str:
    """empty profile with one listed ingress gateway carrying the k8s block."""
    return ("profile: empty\ncomponents:\n  ingressGateways:\n  - name: istio-ingressgateway\n"
            f"    enabled: true\n    k8s:\n{_block(k8s, 6)}\n")


def single(component: str, k8s: str, profile: str = "minimal") -> str:
    return f"profile: {profile}\ncomponents:\n  {component}:\n    enabled: true\n    k8s:\n{_block(k8s, 6)}\n"


def overlay(kind: str, name: str, patches: str, api_version: str = "apps/v1") -> str:
    return (f"overlays:\n- apiVersion: {api_version}\n  kind: {kind}\n  name: {name}\n  patches:\n"
            f"{_block(patches, 2)}\n")


P = "spec.components.pilot.k8s"
G = "spec.components.ingressGateways[0].k8s"
C = "spec.template.spec.containers.[name:discovery]"
AUTOSCALE_MIN_2 = "pilot:\n  autoscaleMin: 2"   # istiod renders its PodDisruptionBudget only then

CASES: tuple[Case, ...] = (
    # ----------------------------------------------------------------------------------- structured fields
    Case("field_affinity_pilot", "pilot k8s.affinity: pod anti-affinity set on the istiod pod spec",
         pilot("""
            affinity:
              podAntiAffinity:
                preferredDuringSchedulingIgnoredDuringExecution:
                - weight: 50
                  podAffinityTerm:
                    topologyKey: kubernetes.io/hostname
                    labelSelector:
                      matchLabels:
                        app: istiod
            """)),
    Case("field_env_existing_and_new_pilot",
         "pilot k8s.env: one chart name changed plus two new names; merged by name, new names placed after "
         "the existing one (facts 5.2 order)",
         pilot("""
            env:
            - name: PILOT_ENABLE_ANALYSIS
              value: "true"
            - name: HELMGEN_FIRST
              value: one
            - name: HELMGEN_SECOND
              valueFrom:
                fieldRef:
                  fieldPath: status.podIP
            """)),
    Case("field_env_new_only_pilot", "pilot k8s.env: only new names, which land in front of the chart's env",
         pilot("""
            env:
            - name: HELMGEN_ALPHA
              value: a
            - name: HELMGEN_BETA
              value: b
            """)),
    Case("field_env_value_over_value_from_pilot",
         "pilot k8s.env: plain value for a chart env that has valueFrom; the map merge keeps both keys",
         pilot("""
            env:
            - name: POD_NAMESPACE
              value: fixed-namespace
            """)),
    Case("field_env_gateway", "ingress gateway k8s.env: merged into the istio-proxy container's env",
         ingress("""
            env:
            - name: ISTIO_META_ROUTER_MODE
              value: sni-dnat
            - name: HELMGEN_GW
              value: "1"
            """)),
    Case("field_env_cni", "cni k8s.env: merged into the install-cni container of the istio-cni-node DaemonSet",
         single("cni", """
            env:
            - name: REPAIR_RUN_AS_DAEMON
              value: "false"
            - name: HELMGEN_CNI
              value: "on"
            """)),
    Case("field_hpa_metrics_replace_pilot",
         "pilot k8s.hpaSpec.metrics: the chart's cpu metric list is replaced by a memory metric",
         pilot("""
            hpaSpec:
              metrics:
              - type: Resource
                resource:
                  name: memory
                  target:
                    type: Utilization
                    averageUtilization: 70
            """)),
    Case("field_hpa_scale_target_ref_partial_gateway",
         "ingress gateway k8s.hpaSpec.scaleTargetRef with only a name: apiVersion and kind stay",
         ingress("""
            hpaSpec:
              scaleTargetRef:
                name: other-deployment
            """)),
    Case("field_hpa_behavior_pilot", "pilot k8s.hpaSpec.behavior: a new HPA spec field added by the patch",
         pilot("""
            hpaSpec:
              behavior:
                scaleDown:
                  stabilizationWindowSeconds: 120
            """)),
    Case("field_hpa_min_max_pilot",
         "pilot k8s.hpaSpec min/max: also written into the chart values, so the patch changes nothing",
         pilot("""
            hpaSpec:
              minReplicas: 3
              maxReplicas: 7
            """),
         noop="minReplicas/maxReplicas reach the chart as autoscaleMin/autoscaleMax (facts 4.3), so helm already "
              "rendered them and the patch writes the same values"),
    Case("field_image_pull_policy_pilot", "pilot k8s.imagePullPolicy: set on the discovery container",
         pilot("imagePullPolicy: Always")),
    Case("field_node_selector_pilot", "pilot k8s.nodeSelector: set on the istiod pod spec",
         pilot("""
            nodeSelector:
              kubernetes.io/os: linux
              example.com/pool: control
            """)),
    Case("field_pdb_min_only_pilot", "pilot k8s.podDisruptionBudget with minAvailable only (a percentage)",
         pilot("""
            podDisruptionBudget:
              minAvailable: 50%
            """, values=AUTOSCALE_MIN_2)),
    Case("field_pdb_max_only_pilot",
         "pilot k8s.podDisruptionBudget with maxUnavailable only: the chart's minAvailable is then set to null",
         pilot("""
            podDisruptionBudget:
              maxUnavailable: 1
            """, values=AUTOSCALE_MIN_2)),
    Case("field_pdb_both_pilot",
         "pilot k8s.podDisruptionBudget with both fields: minAvailable ends as null, maxUnavailable stays",
         pilot("""
            podDisruptionBudget:
              minAvailable: 2
              maxUnavailable: 25%
            """, values=AUTOSCALE_MIN_2)),
    Case("field_pdb_not_rendered_pilot",
         "pilot k8s.podDisruptionBudget while the chart renders no PDB: the patch creates nothing",
         pilot("""
            podDisruptionBudget:
              minAvailable: 1
            """),
         warnings=(f"{P}.podDisruptionBudget",),
         noop="with autoscaleMin 1 the istiod chart renders no PodDisruptionBudget, and a patch never creates "
              "an object",
         extra=(("Deployment", "istiod"),)),
    Case("field_pod_annotations_pilot",
         "pilot k8s.podAnnotations: merged with the chart's pod annotations, one of them overwritten",
         pilot("""
            podAnnotations:
              prometheus.io/scrape: "false"
              example.com/owner: mesh-team
            """)),
    Case("field_priority_class_name_pilot", "pilot k8s.priorityClassName: set on the istiod pod spec",
         pilot("priorityClassName: system-cluster-critical")),
    Case("field_readiness_probe_merge_pilot",
         "pilot k8s.readinessProbe: merged with the chart's probe (httpGet and untouched timings stay)",
         pilot("""
            readinessProbe:
              periodSeconds: 10
              failureThreshold: 6
            """)),
    Case("field_replica_count_pilot",
         "pilot k8s.replicaCount with autoscaling on: the chart writes no replicas, the patch adds them",
         pilot("replicaCount: 3")),
    Case("field_resources_memory_only_pilot",
         "pilot k8s.resources with memory only: merged, so the chart's cpu request stays",
         pilot("""
            resources:
              requests:
                memory: 1Gi
              limits:
                memory: 3Gi
            """)),
    Case("field_strategy_pilot", "pilot k8s.strategy: the rolling update numbers replaced (int beside string)",
         pilot("""
            strategy:
              rollingUpdate:
                maxSurge: 1
                maxUnavailable: 0
            """)),
    Case("field_tolerations_replaced_pilot",
         "pilot k8s.tolerations: the list is replaced, so the chart's cni.istio.io/not-ready toleration goes",
         pilot("""
            tolerations:
            - key: dedicated
              operator: Equal
              value: control-plane
              effect: NoSchedule
            """)),
    Case("field_tolerations_replaced_ztunnel",
         "ztunnel k8s.tolerations: the DaemonSet's chart tolerations replaced by the given list",
         single("ztunnel", """
            tolerations:
            - key: example.com/gpu
              operator: Exists
              effect: NoExecute
            """, profile="ambient")),
    Case("field_service_annotations_pilot",
         "pilot k8s.serviceAnnotations: the istiod Service had no annotations; the map is created",
         pilot("""
            serviceAnnotations:
              example.com/lb: internal
            """)),
    Case("field_service_annotations_gateway",
         "ingress gateway k8s.serviceAnnotations: the chart's `annotations: null` becomes the given map",
         ingress("""
            serviceAnnotations:
              service.beta.kubernetes.io/aws-load-balancer-type: nlb
            """)),
    Case("field_service_fields_pilot",
         "pilot k8s.service: a new port is merged by port number and another Service field is set",
         pilot("""
            service:
              sessionAffinity: ClientIP
              ports:
              - name: http-extra
                port: 15020
                protocol: TCP
            """)),
    Case("field_service_fields_gateway",
         "ingress gateway k8s.service: ports went to the chart values (the patch empties them), the other "
         "field is patched",
         ingress("""
            service:
              sessionAffinity: ClientIP
              ports:
              - name: http2
                port: 80
                targetPort: 8080
              - name: tcp-custom
                port: 31400
                targetPort: 31400
            """)),
    Case("field_service_ports_only_gateway",
         "ingress gateway k8s.service with only ports: the gateway empty-ports quirk leaves the Service as "
         "helm rendered it",
         ingress("""
            service:
              ports:
              - name: https
                port: 443
                targetPort: 8443
            """),
         noop="for a gateway istioctl sets service.ports to [] before patching (the ports already went into the "
              "chart values), and an empty merge list changes nothing"),
    Case("field_service_ports_same_number_gateway",
         "ingress gateway k8s.service.ports with TCP and UDP on one port number: the empty-ports quirk keeps "
         "both as helm rendered them",
         ingress("""
            service:
              ports:
              - name: dns-tcp
                port: 53
                protocol: TCP
                targetPort: 8053
              - name: dns-udp
                port: 53
                protocol: UDP
                targetPort: 8053
            """),
         noop="the ports went into the chart values and istioctl patches service.ports as []; a strategic merge "
              "of these ports (merge key `port` only, kubernetes#103544) would have folded the two into one"),
    Case("field_security_context_pilot", "pilot k8s.securityContext: the pod-level security context is set",
         pilot("""
            securityContext:
              runAsUser: 1337
              runAsGroup: 1337
              fsGroup: 1337
            """)),
    Case("field_null_deletes_readiness_probe_pilot",
         "pilot k8s.readinessProbe: null deletes the chart's readiness probe from the discovery container",
         pilot("readinessProbe: null")),
    Case("field_null_deletes_strategy_pilot", "pilot k8s.strategy: null deletes the chart's spec.strategy",
         pilot("strategy: null")),
    Case("field_volumes_ignored_pilot",
         "pilot k8s.volumes and k8s.volumeMounts: accepted and silently ignored by istioctl",
         pilot("""
            volumes:
            - name: extra
              emptyDir: {}
            volumeMounts:
            - name: extra
              mountPath: /extra
            """),
         warnings=(f"{P}.volumeMounts", f"{P}.volumes"),
         noop="istioctl never applies k8s.volumes or k8s.volumeMounts"),
    Case("field_strategy_on_daemonset_cni",
         "cni k8s.strategy: DaemonSets have no spec.strategy, yet the patch writes one into istio-cni-node",
         single("cni", """
            strategy:
              rollingUpdate:
                maxUnavailable: 2
            """)),
    Case("field_smp_replace_directive_pilot",
         "pilot k8s.podAnnotations with the strategic-merge directive $patch: replace: the chart's pod "
         "annotations are replaced, not merged",
         pilot("""
            podAnnotations:
              $patch: replace
              example.com/only: this
            """)),
    Case("field_smp_directive_on_absent_field_pilot",
         "pilot k8s.nodeSelector with $patch: replace while the chart renders no nodeSelector: dropped whole",
         pilot("""
            nodeSelector:
              $patch: replace
              example.com/pool: only-this
            """),
         noop="strategic merge takes a patch map for a missing field only after removing its directives, and a "
              "map that carries a directive is removed whole (apimachinery removeDirectives)"),
    Case("field_revision_target_name_pilot",
         "pilot with revision canary: k8s.podAnnotations patch the Deployment named istiod-canary",
         pilot("""
            podAnnotations:
              example.com/rev: canary
            """, top="revision: canary\n")),
    Case("field_base_has_no_workload",
         "base k8s.nodeSelector: Base has no kind or name to patch, so nothing changes",
         single("base", """
            nodeSelector:
              example.com/pool: system
            """),
         warnings=("spec.components.base.k8s.nodeSelector",),
         noop="Base has no target kind or name (facts 5.1), so no object matches the patch",
         extra=(("ServiceAccount", "istio-reader-service-account"),)),
    # ------------------------------------------------------------------------------------------ overlays
    Case("overlay_key_write_creates_maps",
         "overlay map-key writes: missing intermediate maps are created (dnsConfig, metadata.annotations)",
         pilot(overlay("Deployment", "istiod", r"""
            - path: spec.template.spec.dnsConfig.options
              value:
              - name: ndots
                value: "2"
            - path: metadata.annotations.example\.com/patched
              value: by-overlay
            """))),
    Case("overlay_select_key_value_replace",
         "overlay [key:value] as last element: the whole env entry is replaced by the value",
         pilot(overlay("Deployment", "istiod", f"""
            - path: {C}.env.[name:CLUSTER_ID]
              value:
                name: CLUSTER_ID
                value: west-1
            """))),
    Case("overlay_index_replace", "overlay [N]: one container arg replaced by index",
         pilot(overlay("Deployment", "istiod", """
            - path: spec.template.spec.containers.[0].args.[2]
              value: --log_output_level=default:debug
            """))),
    Case("overlay_append_minus_one", "overlay [-1]: a new arg appended to the container args",
         pilot(overlay("Deployment", "istiod", f"""
            - path: {C}.args.[-1]
              value: --log_as_json
            """))),
    Case("overlay_append_out_of_range", "overlay [N] past the end: a new env entry appended",
         pilot(overlay("Deployment", "istiod", f"""
            - path: {C}.env.[40]
              value:
                name: HELMGEN_APPENDED
                value: "yes"
            """))),
    Case("overlay_scalar_regex_select",
         "overlay [value] on a scalar list: an unanchored Go regex picks the first matching arg, an anchored "
         "one the exact arg",
         pilot(overlay("Deployment", "istiod", f"""
            - path: {C}.args.[Addr]
              value: --monitoringAddr=:15020
            - path: {C}.args.[^30m$]
              value: 45m
            """))),
    Case("overlay_scalar_select_colon_form",
         "overlay [:value] on a scalar list: the same regex selection written with a leading colon",
         pilot(overlay("Deployment", "istiod", f"""
            - path: {C}.args.[:^cluster]
              value: example.internal
            """))),
    Case("overlay_multiline_yaml_string_object",
         "overlay value that is a multi-line YAML string: it becomes an object (env valueFrom)",
         pilot(overlay("Deployment", "istiod", f"""
            - path: {C}.env.[name:PILOT_TRACE_SAMPLING].valueFrom
              value: |
                configMapKeyRef:
                  name: istiod-tuning
                  key: traceSampling
            """))),
    Case("overlay_single_line_yaml_string_object",
         "overlay value \"key: value\" on one line: it becomes an object too",
         pilot(overlay("Deployment", "istiod", f"""
            - path: {C}.securityContext.seccompProfile
              value: "type: RuntimeDefault"
            """))),
    Case("overlay_json_object_string_stays_string",
         "overlay value that is a JSON object string: it stays a string",
         pilot(overlay("Deployment", "istiod", r"""
            - path: spec.template.metadata.annotations.example\.com/config
              value: '{"mode": "strict", "level": 2}'
            """))),
    Case("overlay_integer_value",
         "overlay integer value through a [key:value] selector on a number: stays an integer",
         pilot(overlay("Deployment", "istiod", f"""
            - path: {C}.ports.[containerPort:8080].containerPort
              value: 9080
            """))),
    Case("overlay_float_values",
         "overlay float values: a whole float (600.0) is written as an integer, 1.5 stays a float",
         pilot(overlay("Deployment", "istiod", f"""
            - path: spec.progressDeadlineSeconds
              value: 600.0
            - path: {C}.resources.limits.cpu
              value: 1.5
            """))),
    Case("overlay_scalar_types", "overlay scalar types: a boolean stays a boolean, quoted strings stay strings",
         pilot(overlay("Deployment", "istiod", r"""
            - path: spec.paused
              value: true
            - path: metadata.annotations.example\.com/enabled
              value: "true"
            - path: metadata.annotations.example\.com/count
              value: "15"
            """))),
    Case("overlay_delete_map_key",
         "overlay delete of map keys: value omitted, and value: null",
         pilot(overlay("Deployment", "istiod", f"""
            - path: {C}.securityContext
            - path: spec.strategy
              value: null
            """))),
    Case("overlay_delete_list_element_selector", "overlay delete of an env entry selected by [name:value]",
         pilot(overlay("Deployment", "istiod", f"""
            - path: {C}.env.[name:KUBECONFIG]
            """))),
    Case("overlay_delete_list_element_index", "overlay delete of a pod volume by index",
         pilot(overlay("Deployment", "istiod", """
            - path: spec.template.spec.volumes.[0]
            """))),
    Case("overlay_delete_scalar_regex", "overlay delete of a container arg selected by an anchored regex",
         pilot(overlay("Deployment", "istiod", f"""
            - path: {C}.args.[^--keepalive]
            """))),
    Case("overlay_delete_missing_leaves_empty_map",
         "overlay delete below a missing key: nothing to delete, but the map made on the way stays as {}",
         pilot(overlay("Deployment", "istiod", """
            - path: spec.template.spec.dnsConfig.searches
            """)),
         warnings=(f"{P}.overlays[0].patches[0].path",)),
    Case("overlay_cluster_scoped_webhook",
         "overlay on the cluster-scoped MutatingWebhookConfiguration, selecting a webhook by an escaped name",
         pilot(overlay("MutatingWebhookConfiguration", "istio-sidecar-injector", r"""
            - path: webhooks.[name:rev\.object\.sidecar-injector\.istio\.io].failurePolicy
              value: Ignore
            """, api_version="admissionregistration.k8s.io/v1"))),
    Case("overlay_base_cluster_scoped_crd",
         "base overlays: a label on a cluster-scoped CRD and a new key on a ServiceAccount",
         single("base", joined(
             overlay("CustomResourceDefinition", "proxyconfigs.networking.istio.io", r"""
                - path: metadata.labels.example\.com/tier
                  value: platform
                """, api_version="apiextensions.k8s.io/v1"),
             overlay("ServiceAccount", "istio-reader-service-account", """
                - path: imagePullSecrets
                  value:
                  - name: registry-credentials
                """, api_version="v1").removeprefix("overlays:\n")))),
    Case("overlay_matches_nothing_name",
         "overlay whose name matches no object: nothing happens (istiod Deployment kept to show it)",
         pilot(overlay("Deployment", "istiod-typo", """
            - path: spec.minReadySeconds
              value: 5
            """)),
         warnings=(f"{P}.overlays[0]",),
         noop="no rendered object is a Deployment named istiod-typo",
         extra=(("Deployment", "istiod"),)),
    Case("overlay_matches_nothing_kind_case",
         "overlay kind compared case-sensitively: `deployment` matches nothing",
         pilot(overlay("deployment", "istiod", """
            - path: spec.minReadySeconds
              value: 5
            """)),
         warnings=(f"{P}.overlays[0]",),
         noop="kinds are compared exactly, and the chart renders `Deployment`",
         extra=(("Deployment", "istiod"),)),
    Case("overlay_failing_then_succeeding",
         "overlay patches that fail (selector matching nothing, path through a scalar) are skipped; the next "
         "one still applies",
         pilot(overlay("Deployment", "istiod", f"""
            - path: {C}.env.[name:NO_SUCH_VAR].value
              value: x
            - path: spec.template.spec.serviceAccountName.deeper
              value: y
            - path: spec.minReadySeconds
              value: 12
            """)),
         warnings=(f"{P}.overlays[0].patches[0].path", f"{P}.overlays[0].patches[1].path")),
    Case("overlay_literal_index_map_key",
         "overlay [N] after a missing key: the key becomes a map and \"[0]\" a literal map key in it",
         pilot(overlay("Deployment", "istiod", """
            - path: spec.template.spec.hostAliases.[0].ip
              value: 10.0.0.9
            """)),
         warnings=(f"{P}.overlays[0].patches[0].path",)),
    Case("overlay_value_map_list_append_quirk",
         "overlay write to a key holding a list inside a map an earlier patch wrote: appended, not replaced",
         pilot(overlay("Deployment", "istiod", """
            - path: spec.template.spec.dnsConfig
              value:
                nameservers:
                - 10.0.0.10
            - path: spec.template.spec.dnsConfig.nameservers
              value: 10.0.0.11
            """)),
         warnings=(f"{P}.overlays[0].patches[1].value",)),
    Case("overlay_value_map_root_key_quirk",
         "overlay YAML-mapping string written to a key of a map an earlier patch wrote: the mapping's root key "
         "replaces the key",
         pilot(overlay("Deployment", "istiod", """
            - path: spec.template.spec.dnsConfig
              value:
                searches:
                - svc.cluster.local
            - path: spec.template.spec.dnsConfig.placeholder
              value: |
                nameservers:
                - 10.0.0.10
            """)),
         warnings=(f"{P}.overlays[0].patches[1].value",)),
    Case("overlay_null_key_becomes_map",
         "overlay through a key whose value is null (gateway Service annotations): a new map replaces it",
         ingress(overlay("Service", "istio-ingressgateway", r"""
            - path: metadata.annotations.example\.com/zone
              value: a
            """, api_version="v1"))),
    Case("overlay_gateway_service_port", "overlay on a gateway Service: a nodePort set on a port selected by name",
         ingress(overlay("Service", "istio-ingressgateway", """
            - path: spec.ports.[name:http2].nodePort
              value: 30080
            """, api_version="v1"))),
    Case("overlay_cni_update_strategy",
         "cni overlay on the DaemonSet updateStrategy (DaemonSets have no k8s.strategy)",
         single("cni", overlay("DaemonSet", "istio-cni-node", """
            - path: spec.updateStrategy.rollingUpdate.maxUnavailable
              value: 3
            """))),
    Case("overlay_after_fields",
         "overlays run after the structured fields: an overlay edits the env entry k8s.env just added",
         pilot(joined("""
            env:
            - name: HELMGEN_MODE
              value: from-field
            """, overlay("Deployment", "istiod", f"""
            - path: {C}.env.[name:HELMGEN_MODE].value
              value: from-overlay
            """)))),
)



# ------------------------------------------------------------------------------------------------ machinery

class CaseError(Exception):
    pass


@dataclass(frozen=True)
class Tools:
    helm: helm.Helm
    istioctl: Path
    manifests: Path


def _tools() -> Tools:
    path = os.environ.get("HELMGEN_HELM") or str(ROOT / ".cache" / "helm" / "4.1.4" / "helm")
    return Tools(helm.find_helm(path), Path(_run_build_script()),
                 Path(_run_build_script("--manifests", timeout=1800)))


def _kept(case: Case, k8s: dict, target, objects: list[dict]) -> list[int]:
    """Indexes of the rendered objects the k8s block can touch, in render order."""
    wanted: set[tuple[str, str]] = set(case.extra)
    for field in k8s:
        if field == "overlays":
            wanted |= {(o.get("kind"), o.get("name")) for o in k8s["overlays"] or []}
        elif target.kind:
            wanted.add((FIELD_KIND.get(field, target.kind), target.name))
    if target.gateway:  # the empty service.ports patch of every gateway k8s block (facts 5.1 quirk)
        wanted.add(("Service", target.name))
    return [i for i, o in enumerate(objects) if (o.get("kind"), (o.get("metadata") or {}).get("name")) in wanted]


def build(case: Case, tools: Tools) -> tuple[dict[str, str], str]:
    """The case's files and a one-line summary; CaseError when the case does not mean what it says."""
    text = case.text()
    with tempfile.TemporaryDirectory(prefix="pp-golden-") as tmp:
        path = Path(tmp) / "input.yaml"
        path.write_text(text)
        resolved = api.resolve(api.Options(files=(str(path),), manifests=str(tools.manifests)))
        jobs = [j for j in render.istio_jobs(resolved, str(tools.manifests), True) if j.spec.k8s is not None]
        if len(jobs) != 1:
            raise CaseError(f"{len(jobs)} components have a k8s block; a case has exactly one")
        job = jobs[0]
        reference = run_generate(tools.istioctl, tools.manifests, [path], [])
    if not reference.ok:
        raise CaseError(f"istioctl rejects the input: {reference.error}")
    rendered_all = split_documents(helm.template(tools.helm, job.chart, job.release, job.namespace, job.values,
                                                 render.ISTIOCTL_KUBE_VERSION, ["--include-crds"]))
    k8s, target, base = job.spec.k8s, target_of(job.spec, resolved.revision), (*job.spec.iop_path, "k8s")
    if not gio.same(json.loads(json.dumps(k8s)), k8s):
        raise CaseError("the k8s map does not survive a JSON round trip")
    keep = _kept(case, k8s, target, rendered_all)
    if not keep:
        raise CaseError("the k8s block can touch no rendered object; add an `extra` object")
    theirs: dict[tuple, list[dict]] = {}
    for o in load_stream(reference.stdout):
        theirs.setdefault(gio.ident(o), []).append(o)
    expected, rendered = [], []
    for i, obj in enumerate(rendered_all):
        found = theirs.get(gio.ident(obj), [])
        if len(found) != 1:
            raise CaseError(f"istioctl printed {len(found)} objects {gio.ident(obj)}")
        if i in keep:
            rendered.append(obj)
            expected.append(found[0])
        elif not gio.same(found[0], obj):
            raise CaseError(f"istioctl changed {gio.ident(obj)}, which the case does not keep:\n"
                            f"{gio.diff([obj], found, 'helm', 'istioctl')}")
    changed = not gio.same(rendered, expected)
    if case.noop and changed:
        raise CaseError(f"documented as a no-op, but istioctl changes the objects:\n"
                        f"{gio.diff(rendered, expected, 'helm', 'istioctl')}")
    if not case.noop and not changed:
        raise CaseError("istioctl leaves the kept objects as helm rendered them: the case proves nothing "
                        "(fix the input, or document it as a no-op)")
    rendered_text = gio.objects_text(rendered, f"{case.name}: the objects helm rendered for component "
                                               f"{job.spec.info.spec_key} that its k8s block can touch")
    expected_text = gio.objects_text(expected, f"{case.name}: the same objects as `istioctl manifest generate` "
                                               "printed them (the oracle, not helmgen)")
    for name, objs, out in (("rendered", rendered, rendered_text), ("expected", expected, expected_text)):
        if not gio.same(load_stream(out), objs):
            raise CaseError(f"{name}.yaml does not read back as the objects written")
    data = {"about": case.about, "component": job.spec.info.spec_key, "target": target.to_json(),
            "base": list(base), "k8s": k8s, "warnings": sorted(case.warnings), "noop": case.noop}
    files = {"input.yaml": text, "rendered.yaml": rendered_text, "expected.yaml": expected_text,
             "target.json": gio.target_text(data)}
    ours, problems = postprocess(rendered, k8s, target, base)
    agrees = gio.same(ours, expected)
    warned = sorted(format_path(p.path) for p in problems)
    summary = (f"{case.name:48} {job.spec.info.spec_key:16} {len(rendered)} object(s)  "
               f"{'no-op ' if case.noop else 'change'}  helmgen: {'agrees' if agrees else 'DISAGREES'}"
               f"{'' if warned == sorted(case.warnings) else f'  warnings differ: {warned}'}")
    return files, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    parser.add_argument("names", nargs="*", help="only these cases (default: all)")
    args = parser.parse_args(argv)
    by_name = {c.name: c for c in CASES}
    if len(by_name) != len(CASES):
        print("duplicate case names", file=sys.stderr)
        return 2
    unknown = [n for n in args.names if n not in by_name]
    if unknown:
        print(f"unknown cases: {', '.join(unknown)}", file=sys.stderr)
        return 2
    tools = _tools()
    print(f"{tools.helm}; istioctl {tools.istioctl}; manifests {tools.manifests}")
    failed, stale, written = [], [], 0
    for case in [by_name[n] for n in args.names] or CASES:
        try:
            files, summary = build(case, tools)
        except (CaseError, api.InputError, helm.HelmError) as e:
            failed.append(case.name)
            print(f"{case.name}: FAILED: {e}")
            continue
        folder = GOLDEN / case.name
        differs = [n for n, t in files.items() if not (folder / n).is_file() or (folder / n).read_text() != t]
        if differs and args.check:
            stale.append(f"{case.name} ({', '.join(differs)})")
        elif differs:
            folder.mkdir(parents=True, exist_ok=True)
            for n in differs:
                (folder / n).write_text(files[n])
            written += 1
        print(summary + (f"  [{'would change' if args.check else 'written'}: {', '.join(differs)}]"
                         if differs else ""))
    if not args.names:
        for folder in gio.case_dirs(GOLDEN):
            if folder.name not in by_name:
                if args.check:
                    stale.append(f"{folder.name} (no such case)")
                else:
                    shutil.rmtree(folder)
                    print(f"{folder.name}: removed (no such case)")
    print(f"{len(args.names) or len(CASES)} cases, {len(failed)} failed"
          + ((f", {len(stale)} out of date" + (f": {'; '.join(stale)}" if stale else "")) if args.check
             else f", {written} written"))
    return 1 if failed or stale else 0


if __name__ == "__main__":
    sys.exit(main())
