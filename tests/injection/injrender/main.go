// injrender: runs injection templates through istiod's own code, offline, for tests/injection.
//
// Two modes, both with a fake Kubernetes client:
//
//   - "webhook": the sidecar injection webhook (istio.io/istio/pkg/kube/inject). Each pod is sent as an
//     AdmissionReview to the webhook's /inject handler and the JSON patch it answers is applied to the pod.
//     Unlike `istioctl kube-inject`, this path reads the namespace (OpenShift UID/GID ranges) and the nodes
//     (native sidecar detection) from the cluster.
//   - "gateway": the Gateway API deployment controller (istio.io/istio/pilot/pkg/config/kube/gatewaycommon),
//     which renders the waypoint and kube-gateway templates. Every object it server-side applies is recorded.
//
// It is built inside the pinned istio module (see injection_harness.py), so every dependency is the one istiod uses.
// Feature flags that istiod reads from its environment at start-up (PILOT_ENABLE_AMBIENT, PLATFORM, ...)
// come from this process's environment.
//
// Input (JSON on stdin): {"sides": {"<side>": {"<template>": "<text>", ...}, ...}, "mode": "webhook"|"gateway",
// "config": "<injector config YAML, its templates are replaced per side>", "values": "<JSON>",
// "mesh": "<YAML>", "revision": "...", "objects": ["<YAML>", ...], "pods": ["<YAML>", ...],
// "path": "/inject/...", "gateway": {"namespace": "...", "name": "..."}, "kubeMinor": "32", "clusterID": "..."}
//
// Output (JSON on stdout): {"<side>": {"pods": [<pod or {"error": ...}>...]}} for webhook,
// {"<side>": {"applied": [<object>...], "error": "..."}} for gateway.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	kubeVersion "k8s.io/apimachinery/pkg/version"
	fakediscovery "k8s.io/client-go/discovery/fake"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"
	"sigs.k8s.io/yaml"

	"istio.io/istio/pilot/pkg/config/kube/gatewaycommon"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pkg/cluster"
	"istio.io/istio/pkg/config/constants"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/config/mesh/meshwatcher"
	"istio.io/istio/pkg/kube"
	"istio.io/istio/pkg/kube/inject"
	"istio.io/istio/pkg/kube/multicluster"
	istiolog "istio.io/istio/pkg/log"
	"istio.io/istio/pkg/revisions"
)

type request struct {
	Sides     map[string]map[string]string `json:"sides"`
	Mode      string                       `json:"mode"`
	Config    string                       `json:"config"`
	Values    string                       `json:"values"`
	Mesh      string                       `json:"mesh"`
	Revision  string                       `json:"revision"`
	Objects   []string                     `json:"objects"`
	Pods      []string                     `json:"pods"`
	Path      string                       `json:"path"`
	KubeMinor string                       `json:"kubeMinor"`
	ClusterID string                       `json:"clusterID"`
	Gateway   struct {
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
	} `json:"gateway"`
}

type sideResult struct {
	Pods    []any            `json:"pods,omitempty"`
	Applied []map[string]any `json:"applied,omitempty"`
	Error   string           `json:"error,omitempty"`
}

var logFile string

func main() {
	dir, err := os.MkdirTemp("", "injrender")
	check(err)
	defer os.RemoveAll(dir)
	// istiod logs template errors of the gateway controller instead of returning them: keep the log to read.
	logFile = filepath.Join(dir, "log.json")
	opts := istiolog.DefaultOptions()
	opts.OutputPaths = []string{logFile}
	opts.ErrorOutputPaths = []string{logFile}
	opts.JSONEncoding = true
	check(istiolog.Configure(opts))

	raw, err := io.ReadAll(os.Stdin)
	check(err)
	var req request
	check(json.Unmarshal(raw, &req))
	out := map[string]sideResult{}
	for side, templates := range req.Sides {
		var res sideResult
		switch req.Mode {
		case "webhook":
			res, err = webhook(req, templates)
		case "gateway":
			res, err = deploymentController(req, templates)
		default:
			err = fmt.Errorf("unknown mode %q", req.Mode)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "side %s: %v\n", side, err)
			os.Exit(2)
		}
		out[side] = res
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	check(enc.Encode(out))
}

func fakeClient(req request) (kube.CLIClient, error) {
	var objects []runtime.Object
	decoder := kube.IstioCodec.UniversalDeserializer()
	for _, text := range req.Objects {
		j, err := yaml.YAMLToJSON([]byte(text))
		if err != nil {
			return nil, err
		}
		obj, _, err := decoder.Decode(j, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("%v in\n%s", err, text)
		}
		objects = append(objects, obj)
	}
	client := kube.NewFakeClient(objects...)
	minor := req.KubeMinor
	if minor == "" {
		minor = "32"
	}
	client.Kube().Discovery().(*fakediscovery.FakeDiscovery).FakedServerVersion = &kubeVersion.Info{
		Major: "1", Minor: minor, GitVersion: "v1." + minor + ".0",
	}
	return client, nil
}

func revisionOf(req request) string {
	if req.Revision == "" {
		return "default"
	}
	return req.Revision
}

// ---------------------------------------------------------------------------------------------- webhook

type staticWatcher struct {
	config *inject.Config
	values string
}

func (w staticWatcher) SetHandler(func(*inject.Config, string) error) {}
func (w staticWatcher) Run(<-chan struct{})                           {}
func (w staticWatcher) Get() (*inject.Config, string, error)          { return w.config, w.values, nil }

func webhook(req request, templates map[string]string) (sideResult, error) {
	res := sideResult{Pods: []any{}}
	cfg := map[string]any{}
	if err := yaml.Unmarshal([]byte(req.Config), &cfg); err != nil {
		return res, err
	}
	cfg["templates"] = templates
	cfgText, err := yaml.Marshal(cfg)
	if err != nil {
		return res, err
	}
	config, err := inject.UnmarshalConfig(cfgText)
	if err != nil {
		return res, err
	}
	meshConfig, err := mesh.ApplyMeshConfigDefaults(req.Mesh)
	if err != nil {
		return res, err
	}
	client, err := fakeClient(req)
	if err != nil {
		return res, err
	}
	stop := make(chan struct{})
	defer close(stop)

	env := model.NewEnvironment()
	env.Watcher = meshwatcher.NewTestWatcher(meshConfig)
	env.PushContext().ProxyConfigs = &model.ProxyConfigs{}
	env.PushContext().InitDone.Store(true)
	multi := multicluster.NewFakeController()
	mux := http.NewServeMux()
	wh, err := inject.NewWebhook(inject.WebhookParameters{
		Watcher:      staticWatcher{config: &config, values: req.Values},
		Env:          env,
		Mux:          mux,
		Revision:     revisionOf(req),
		MultiCluster: multi,
	})
	if err != nil {
		return res, err
	}
	multi.Add(constants.DefaultClusterName, client, stop)
	client.RunAndWait(stop)
	_ = wh

	path := req.Path
	if path == "" {
		path = "/inject"
	}
	for _, text := range req.Pods {
		var pod corev1.Pod
		if err := yaml.UnmarshalStrict([]byte(text), &pod); err != nil {
			return res, fmt.Errorf("pod: %v", err)
		}
		podJSON, err := json.Marshal(&pod)
		if err != nil {
			return res, err
		}
		review := admissionv1.AdmissionReview{Request: &admissionv1.AdmissionRequest{
			UID: "u", Namespace: pod.Namespace, Object: runtime.RawExtension{Raw: podJSON},
			Operation: admissionv1.Create,
		}}
		review.APIVersion = "admission.k8s.io/v1"
		review.Kind = "AdmissionReview"
		body, err := json.Marshal(review)
		if err != nil {
			return res, err
		}
		httpReq := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		httpReq.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httpReq)
		var answer admissionv1.AdmissionReview
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil || answer.Response == nil {
			return res, fmt.Errorf("webhook answered %d: %s", rec.Code, rec.Body.String())
		}
		if answer.Response.Result != nil && answer.Response.Result.Message != "" {
			res.Pods = append(res.Pods, map[string]any{"error": answer.Response.Result.Message})
			continue
		}
		injected := podJSON
		if len(answer.Response.Patch) > 0 {
			patch, err := jsonpatch.DecodePatch(answer.Response.Patch)
			if err != nil {
				return res, err
			}
			if injected, err = patch.Apply(podJSON); err != nil {
				return res, err
			}
		}
		var obj map[string]any
		if err := json.Unmarshal(injected, &obj); err != nil {
			return res, err
		}
		res.Pods = append(res.Pods, obj)
	}
	return res, nil
}

// ---------------------------------------------------------------------------------- gateway controller

func deploymentController(req request, raw map[string]string) (sideResult, error) {
	res := sideResult{Applied: []map[string]any{}}
	templates, err := inject.ParseTemplates(raw)
	if err != nil {
		return res, err
	}
	values, err := inject.NewValuesConfig(req.Values)
	if err != nil {
		return res, err
	}
	meshConfig, err := mesh.ApplyMeshConfigDefaults(req.Mesh)
	if err != nil {
		return res, err
	}
	client, err := fakeClient(req)
	if err != nil {
		return res, err
	}
	// The controller server-side applies what it renders: record each patch in order.
	client.Dynamic().(*dynamicfake.FakeDynamicClient).PrependReactor("patch", "*",
		func(action clienttesting.Action) (bool, runtime.Object, error) {
			obj := map[string]any{}
			if err := json.Unmarshal(action.(clienttesting.PatchAction).GetPatch(), &obj); err != nil {
				return true, nil, err
			}
			res.Applied = append(res.Applied, obj)
			return true, &unstructured.Unstructured{Object: obj}, nil
		})
	stop := make(chan struct{})
	defer close(stop)

	env := model.NewEnvironment()
	env.Watcher = meshwatcher.NewTestWatcher(meshConfig)
	env.PushContext().ProxyConfigs = &model.ProxyConfigs{}
	env.PushContext().InitDone.Store(true)
	config := func() inject.WebhookConfig {
		return inject.WebhookConfig{Templates: templates, Values: values, MeshConfig: meshConfig}
	}
	rev := revisionOf(req)
	tags := revisions.NewTagWatcher(client, rev, "istio-system")
	clusterID := req.ClusterID
	if clusterID == "" {
		clusterID = constants.DefaultClusterName
	}
	controller := gatewaycommon.NewDeploymentController(client, cluster.ID(clusterID), env, config,
		func(func()) {}, tags, rev, "istio-system")
	client.RunAndWait(stop)
	go tags.Run(stop)
	if !kube.WaitForCacheSync("injrender", stop, tags.HasSynced) {
		return res, fmt.Errorf("tag watcher never synced")
	}
	offset := logSize()
	if err := controller.Reconcile(types.NamespacedName{Namespace: req.Gateway.Namespace, Name: req.Gateway.Name}); err != nil {
		res.Error = err.Error()
	}
	_ = istiolog.Sync()
	if msg := loggedRenderError(offset); msg != "" {
		res.Error = msg
	}
	return res, nil
}

func logSize() int64 {
	if st, err := os.Stat(logFile); err == nil {
		return st.Size()
	}
	return 0
}

func loggedRenderError(offset int64) string {
	b, err := os.ReadFile(logFile)
	if err != nil || int64(len(b)) < offset {
		return ""
	}
	for _, line := range strings.Split(string(b[offset:]), "\n") {
		var entry struct {
			Msg string `json:"msg"`
		}
		if json.Unmarshal([]byte(line), &entry) == nil && strings.HasPrefix(entry.Msg, "error rendering templates: ") {
			return strings.TrimPrefix(entry.Msg, "error rendering templates: ")
		}
	}
	return ""
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
