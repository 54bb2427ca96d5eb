// Command smp-oracle applies Kubernetes strategic merge patches with the real
// k8s.io/apimachinery strategicpatch package, the way istioctl's post-processing does
// (StrategicMergePatch on JSON bytes with the typed Go struct of the object's kind).
//
// It reads one JSON request per line on stdin and writes one JSON answer per line:
//
//	{"kind": "apps/v1/Deployment", "original": {...}, "patch": {...}}
//	  -> {"result": {...}} or {"error": "..."}
//	{"meta": "apps/v1/Deployment"}
//	  -> {"meta": {"<json path>": {"kind": "...", "strategy": "...", "key": "..."}}}
//
// The "meta" answer lists, for every field reachable from the kind's Go struct, its JSON
// kind and its patchStrategy / patchMergeKey struct tags (used to check helmgen's data file).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
)

var kinds = map[string]func() any{
	"apps/v1/Deployment":                     func() any { return &appsv1.Deployment{} },
	"apps/v1/DaemonSet":                      func() any { return &appsv1.DaemonSet{} },
	"autoscaling/v2/HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"policy/v1/PodDisruptionBudget":          func() any { return &policyv1.PodDisruptionBudget{} },
	"v1/Service":                             func() any { return &corev1.Service{} },
}

type request struct {
	Kind     string          `json:"kind"`
	Original json.RawMessage `json:"original"`
	Patch    json.RawMessage `json:"patch"`
	Meta     string          `json:"meta"`
}

type answer struct {
	Result json.RawMessage      `json:"result,omitempty"`
	Error  string               `json:"error,omitempty"`
	Meta   map[string]fieldMeta `json:"meta,omitempty"`
}

type fieldMeta struct {
	Kind     string `json:"kind"`
	Strategy string `json:"strategy,omitempty"`
	Key      string `json:"key,omitempty"`
}

func apply(req request) (ans answer) {
	defer func() {
		if r := recover(); r != nil {
			ans = answer{Error: fmt.Sprintf("panic: %v", r)}
		}
	}()
	newObj, ok := kinds[req.Kind]
	if !ok {
		return answer{Error: "unknown kind " + req.Kind}
	}
	out, err := strategicpatch.StrategicMergePatch(req.Original, req.Patch, newObj())
	if err != nil {
		return answer{Error: err.Error()}
	}
	return answer{Result: out}
}

var marshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()

// classify names the JSON shape of a Go type: object, list, map or scalar.
func classify(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(marshaler) || reflect.PointerTo(t).Implements(marshaler) {
		return "scalar"
	}
	switch t.Kind() {
	case reflect.Struct:
		return "object"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return "scalar"
		}
		return "list"
	case reflect.Map:
		return "map"
	}
	return "scalar"
}

// walk records every JSON field of struct t under prefix; seen stops recursion.
func walk(t reflect.Type, prefix string, out map[string]fieldMeta, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if seen[t] {
		return
	}
	seen[t] = true
	defer delete(seen, t)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name := strings.Split(tag, ",")[0]
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" {
			walk(f.Type, prefix, out, seen)
			continue
		}
		if name == "" {
			name = f.Name
		}
		path := prefix + "." + name
		kind := classify(f.Type)
		out[path] = fieldMeta{Kind: kind, Strategy: f.Tag.Get("patchStrategy"), Key: f.Tag.Get("patchMergeKey")}
		inner := f.Type
		for inner.Kind() == reflect.Pointer {
			inner = inner.Elem()
		}
		switch kind {
		case "object":
			walk(inner, path, out, seen)
		case "list":
			elem := inner.Elem()
			out[path+"[]"] = fieldMeta{Kind: classify(elem)}
			if classify(elem) == "object" {
				walk(elem, path+"[]", out, seen)
			}
		}
	}
}

func meta(kind string) answer {
	newObj, ok := kinds[kind]
	if !ok {
		return answer{Error: "unknown kind " + kind}
	}
	out := map[string]fieldMeta{}
	walk(reflect.TypeOf(newObj()), "", out, map[reflect.Type]bool{})
	return answer{Meta: out}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<28)
	w := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(w)
	for in.Scan() {
		var req request
		var ans answer
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			ans = answer{Error: "bad request: " + err.Error()}
		} else if req.Meta != "" {
			ans = meta(req.Meta)
		} else {
			ans = apply(req)
		}
		if err := enc.Encode(ans); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		w.Flush()
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
