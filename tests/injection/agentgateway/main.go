// agwrender: renders Gateway objects through istiod's own Gateway API deployment controller
// (istio.io/istio/pilot/pkg/config/kube/gatewaycommon) with a fake Kubernetes client, once per side (Istio's
// injection templates, ours), and prints what the controller would server-side apply.
//
// Input (JSON on stdin):
//
//	{"sides": {"<side>": {"<template name>": "<template text>", ...}, ...},
//	 "cases": [{"name": "...", "values": "<injector values, JSON>", "mesh": "<mesh config, YAML>",
//	            "revision": "default", "clusterID": "Kubernetes", "systemNamespace": "istio-system",
//	            "copyLabelsAnnotations": true, "nativeSidecars": "auto", "quic": false, "kubeMinor": "32",
//	            "objects": ["<object YAML/JSON>", ...], "gateway": {"namespace": "...", "name": "..."},
//	            "proxyConfigs": [{"namespace": "...", "name": "...", "spec": {<ProxyConfig spec>}}]}]}
//
// Output (JSON on stdout): {"cases": [{"name": "...", "sides": {"<side>": {"applied": [<object>...],
// "renderError": "...", "reconcileError": "..."}}}]}; "applied" is every object the controller patched, in
// order, as the JSON it sent (the Gateway status patch that records the controller version included).
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	kubeVersion "k8s.io/apimachinery/pkg/version"
	fakediscovery "k8s.io/client-go/discovery/fake"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"
	"sigs.k8s.io/yaml"

	networkingv1beta1 "istio.io/api/networking/v1beta1"
	"istio.io/istio/pilot/pkg/config/kube/gatewaycommon"
	"istio.io/istio/pilot/pkg/config/memory"
	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pkg/cluster"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/config/mesh/meshwatcher"
	"istio.io/istio/pkg/config/schema/collections"
	"istio.io/istio/pkg/config/schema/gvk"
	"istio.io/istio/pkg/kube"
	"istio.io/istio/pkg/kube/inject"
	istiolog "istio.io/istio/pkg/log"
	"istio.io/istio/pkg/revisions"
	"istio.io/istio/pkg/util/protomarshal"
)

type gwRef struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

type inputCase struct {
	Name                  string    `json:"name"`
	Values                string    `json:"values"`
	Mesh                  string    `json:"mesh"`
	Revision              string    `json:"revision"`
	ClusterID             string    `json:"clusterID"`
	SystemNamespace       string    `json:"systemNamespace"`
	CopyLabelsAnnotations *bool     `json:"copyLabelsAnnotations"`
	NativeSidecars        string    `json:"nativeSidecars"`
	QUIC                  bool      `json:"quic"`
	KubeMinor             string    `json:"kubeMinor"`
	Objects               []string  `json:"objects"`
	ProxyConfigs          []proxyCR `json:"proxyConfigs"`
	Gateway               gwRef     `json:"gateway"`
}

// proxyCR is a ProxyConfig custom resource (networking.istio.io/v1beta1) for the push context.
type proxyCR struct {
	Namespace string          `json:"namespace"`
	Name      string          `json:"name"`
	Spec      json.RawMessage `json:"spec"`
}

type input struct {
	Sides map[string]map[string]string `json:"sides"`
	Cases []inputCase                  `json:"cases"`
}

type sideResult struct {
	Applied        []map[string]any `json:"applied"`
	RenderError    string           `json:"renderError,omitempty"`
	ReconcileError string           `json:"reconcileError,omitempty"`
}

type caseResult struct {
	Name  string                `json:"name"`
	Sides map[string]sideResult `json:"sides"`
}

// The controller logs template errors ("error rendering templates: ...") instead of returning them; the log
// goes to this file and is read back after each reconcile.
var logPath string

func main() {
	dir, err := os.MkdirTemp("", "agwrender")
	must(err)
	defer os.RemoveAll(dir)
	logPath = filepath.Join(dir, "istiod.log")
	opts := istiolog.DefaultOptions()
	opts.OutputPaths = []string{logPath}
	opts.ErrorOutputPaths = []string{logPath}
	opts.JSONEncoding = true
	must(istiolog.Configure(opts))

	// The agentgateway classes exist only with PILOT_ENABLE_AGENTGATEWAY (and ambient waypoints for the
	// waypoint class); the class tables are computed at package init, so recompute them.
	features.EnableAgentgateway = true
	features.EnableAmbientWaypoints = true
	features.EnableAlphaGatewayAPI = true
	gatewaycommon.ClassInfos = gatewaycommon.GetClassInfos()
	gatewaycommon.BuiltinGatewayClasses = gatewaycommon.GetBuiltinGatewayClasses()
	gatewaycommon.AgentgatewayClasses = gatewaycommon.GetAgentGatewayClasses()
	gatewaycommon.AllClasses = gatewaycommon.GetAllClasses()

	raw, err := io.ReadAll(os.Stdin)
	must(err)
	var in input
	must(json.Unmarshal(raw, &in))

	out := struct {
		Cases []caseResult `json:"cases"`
	}{}
	for _, c := range in.Cases {
		res := caseResult{Name: c.Name, Sides: map[string]sideResult{}}
		for side, templates := range in.Sides {
			r, err := runCase(c, templates)
			if err != nil {
				fmt.Fprintf(os.Stderr, "case %s, side %s: %v\n", c.Name, side, err)
				os.Exit(2)
			}
			res.Sides[side] = r
		}
		out.Cases = append(out.Cases, res)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	must(enc.Encode(out))
}

func runCase(c inputCase, raw map[string]string) (sideResult, error) {
	res := sideResult{Applied: []map[string]any{}}

	copyLA := true
	if c.CopyLabelsAnnotations != nil {
		copyLA = *c.CopyLabelsAnnotations
	}
	features.EnableGatewayAPICopyLabelsAnnotations = copyLA
	features.EnableQUICListeners = c.QUIC
	switch c.NativeSidecars {
	case "true":
		features.EnableNativeSidecars = features.NativeSidecarModeEnabled
	case "false":
		features.EnableNativeSidecars = features.NativeSidecarModeDisabled
	default:
		features.EnableNativeSidecars = features.NativeSidecarModeAuto
	}

	templates, err := inject.ParseTemplates(raw)
	if err != nil {
		return res, fmt.Errorf("parse templates: %v", err)
	}
	values, err := inject.NewValuesConfig(c.Values)
	if err != nil {
		return res, fmt.Errorf("values: %v", err)
	}
	meshConfig, err := mesh.ApplyMeshConfigDefaults(c.Mesh)
	if err != nil {
		return res, fmt.Errorf("mesh config: %v", err)
	}

	var objects []runtime.Object
	decoder := kube.IstioCodec.UniversalDeserializer()
	for _, text := range c.Objects {
		j, err := yaml.YAMLToJSON([]byte(text))
		if err != nil {
			return res, fmt.Errorf("object: %v", err)
		}
		obj, _, err := decoder.Decode(j, nil, nil)
		if err != nil {
			return res, fmt.Errorf("object: %v\n%s", err, text)
		}
		objects = append(objects, obj)
	}

	client := kube.NewFakeClient(objects...)
	minor := c.KubeMinor
	if minor == "" {
		minor = "32"
	}
	client.Kube().Discovery().(*fakediscovery.FakeDiscovery).FakedServerVersion = &kubeVersion.Info{
		Major: "1", Minor: minor, GitVersion: "v1." + minor + ".0",
	}
	// What the controller server-side applies, in order.
	client.Dynamic().(*dynamicfake.FakeDynamicClient).PrependReactor("patch", "*",
		func(action clienttesting.Action) (bool, runtime.Object, error) {
			p := action.(clienttesting.PatchAction)
			obj := map[string]any{}
			if err := json.Unmarshal(p.GetPatch(), &obj); err != nil {
				return true, nil, err
			}
			res.Applied = append(res.Applied, obj)
			return true, &unstructured.Unstructured{Object: obj}, nil
		})

	stop := make(chan struct{})
	defer close(stop)

	env := model.NewEnvironment()
	env.Watcher = meshwatcher.NewTestWatcher(meshConfig)
	// As istiod's push context: ProxyConfig resources over the mesh's defaultConfig.
	store := memory.Make(collections.Pilot)
	for i, pc := range c.ProxyConfigs {
		spec := &networkingv1beta1.ProxyConfig{}
		if err := protomarshal.Unmarshal(pc.Spec, spec); err != nil {
			return res, fmt.Errorf("ProxyConfig %s/%s: %v", pc.Namespace, pc.Name, err)
		}
		_, err := store.Create(config.Config{
			Meta: config.Meta{
				GroupVersionKind:  gvk.ProxyConfig,
				Namespace:         pc.Namespace,
				Name:              pc.Name,
				CreationTimestamp: time.Unix(int64(1_700_000_000+i), 0),
			},
			Spec: spec,
		})
		if err != nil {
			return res, fmt.Errorf("ProxyConfig %s/%s: %v", pc.Namespace, pc.Name, err)
		}
	}
	env.PushContext().ProxyConfigs = model.GetProxyConfigs(store, meshConfig)
	env.PushContext().InitDone.Store(true)

	revision := c.Revision
	if revision == "" {
		revision = "default"
	}
	systemNamespace := c.SystemNamespace
	if systemNamespace == "" {
		systemNamespace = "istio-system"
	}
	clusterID := c.ClusterID
	if clusterID == "" {
		clusterID = "Kubernetes"
	}
	webhookConfig := func() inject.WebhookConfig {
		return inject.WebhookConfig{Templates: templates, Values: values, MeshConfig: meshConfig}
	}
	tw := revisions.NewTagWatcher(client, revision, systemNamespace)
	d := gatewaycommon.NewDeploymentController(client, cluster.ID(clusterID), env, webhookConfig,
		func(func()) {}, tw, revision, systemNamespace)
	client.RunAndWait(stop)
	go tw.Run(stop)
	if !kube.WaitForCacheSync("agwrender", stop, tw.HasSynced) {
		return res, fmt.Errorf("tag watcher did not sync")
	}

	before := logSize()
	if err := d.Reconcile(types.NamespacedName{Namespace: c.Gateway.Namespace, Name: c.Gateway.Name}); err != nil {
		res.ReconcileError = err.Error()
	}
	istiolog.Sync()
	res.RenderError = renderErrorSince(before)
	return res, nil
}

func logSize() int64 {
	st, err := os.Stat(logPath)
	if err != nil {
		return 0
	}
	return st.Size()
}

// renderErrorSince returns the template error the controller logged after offset, if any.
func renderErrorSince(offset int64) string {
	deadline := time.Now().Add(2 * time.Second)
	for {
		b, err := os.ReadFile(logPath)
		if err == nil && int64(len(b)) >= offset {
			for _, line := range strings.Split(string(b[offset:]), "\n") {
				var entry map[string]any
				if json.Unmarshal([]byte(line), &entry) != nil {
					continue
				}
				msg, _ := entry["msg"].(string)
				if strings.HasPrefix(msg, "error rendering templates: ") {
					return strings.TrimPrefix(msg, "error rendering templates: ")
				}
			}
			return ""
		}
		if time.Now().After(deadline) {
			return ""
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
