"""THE table of lint rules. Ids are stable: a rule that goes away leaves its id unused, never reassigned."""
from __future__ import annotations

from helmgen.lint.findings import Level, Rule

RULES: tuple[Rule, ...] = (
    Rule("HG001", "unreadable-input", Level.ERROR, "The file cannot be read as an IstioOperator.",
         "The file must be UTF-8 YAML holding one IstioOperator (apiVersion install.istio.io/v1alpha1, kind "
         "IstioOperator). Fix the YAML or the kind named in the message."),
    Rule("HG002", "invalid-field", Level.ERROR, "A field is unknown or has the wrong type.",
         "istioctl decodes the IstioOperator strictly: unknown fields and wrong types are refused. The message "
         "names the path and, where helmgen knows it, the field meant or where it moved."),
    Rule("HG003", "invalid-value", Level.ERROR, "A value is refused by istioctl's validation.",
         "Semantic checks istioctl runs (hub, tag, revision, gateway names, privileged ports, IP ranges, "
         "Kubernetes types in free-form values). The message says what is allowed."),
    Rule("HG004", "chart-values-schema", Level.ERROR, "The values for a chart break its values.schema.json.",
         "The values helmgen generates for a release are checked against the chart's schema, as helm would. "
         "The message names both the chart value and the IstioOperator path it comes from."),
    Rule("HG005", "validation-warning", Level.WARNING, "istioctl would warn about this setting.",
         "Settings that are accepted but probably not what was meant (for example replicaCount with "
         "autoscaling on, or a value a component setting overrides)."),
    Rule("HG010", "deprecated-value", Level.WARNING, "A deprecated spec.values field is set.",
         "Istio keeps these fields for compatibility but they are deprecated; the message names the replacement "
         "where there is one."),
    Rule("HG011", "deprecated-chart-key", Level.WARNING, "A chart key Istio's charts warn about is set.",
         "Istio's istiod chart prints a deprecation warning for these keys; the message names the replacement."),
    Rule("HG012", "removed-chart-key", Level.ERROR, "A chart key Istio's charts refuse is set.",
         "Istio's istiod chart fails to render when these keys are set (`<key> is removed`)."),
    Rule("HG020", "kubernetes-schema", Level.ERROR, "A rendered object is invalid for the Kubernetes version.",
         "Every object the releases render is checked offline against the Kubernetes schemas of --kube-version "
         "(kubernetes-validate, strict: unknown fields are errors). Usually a components.*.k8s setting or an "
         "overlay wrote something Kubernetes will refuse."),
    Rule("HG021", "crd-schema", Level.ERROR, "A rendered Istio resource breaks its CRD schema.",
         "Istio custom resources the releases render are checked against the CRD schemas of charts/istio-base."),
    Rule("HG030", "k8s-as-chart-value", Level.NOTE, "A components.*.k8s field is carried as a chart value.",
         "helmgen's charts take every components.*.k8s field as the chart value `k8s`: plain helm, Argo CD and "
         "Flux install it without helmgen."),
    Rule("HG031", "k8s-needs-post-renderer", Level.WARNING, "A components.*.k8s field needs helmgen's post-renderer.",
         "This setting is applied only by helmgen's post-renderer (k8s.overlays with helmgen's charts; every k8s "
         "field with Istio's charts): installing the values with plain helm or GitOps loses it. Use helmgen "
         "install, or move the setting into a chart value."),
    Rule("HG032", "k8s-not-carried", Level.WARNING, "A components.*.k8s field is dropped.",
         "istioctl silently drops this field (k8s.volumes and k8s.volumeMounts, an overlay path that matches "
         "nothing); so does helmgen, to stay equal to istioctl. Set it another way (the chart values named in "
         "the message) or remove it."),
    Rule("HG040", "gitops-drift-failure-policy", Level.NOTE, "A webhook failurePolicy istiod rewrites.",
         "istiod patches this webhook's failurePolicy once it is ready, so GitOps tools see the object drift "
         "from the chart. Ignore the field in the tool (Argo CD ignoreDifferences, Flux driftDetection ignore)."),
    Rule("HG041", "gitops-drift-ca-bundle", Level.NOTE, "A webhook caBundle istiod fills in.",
         "istiod writes the caBundle of this webhook at run time, so GitOps tools see drift. Ignore the field in "
         "the tool, or set the CA bundle in the values (base.validationCABundle, istiodRemote.injectionCABundle)."),
    Rule("HG050", "chart-lint", Level.ERROR, "`helm lint --strict` reports a problem in a chart folder.",
         "Chart folders given to helmgen lint are checked with `helm lint --strict` on the helm helmgen finds "
         "(HELMGEN_HELM or PATH); its [ERROR] and [WARNING] lines become findings."),
)

BY_ID = {r.id: r for r in RULES}
