"""Layering the inputs into one IstioOperator (istioctl's MergeInputs, facts 1.4).

Precedence, lowest to highest: the `default` profile < the selected profile < the files in order
< `--set` in order < flag aliases (`--manifests`, `--revision`); then the top-level translation
(spec.hub/tag/revision/meshConfig/compatibilityVersion and component enablement into spec.values);
then the user's own `spec.values` merged again. `unvalidatedValues` is merged last, after validation
(see `apply_unvalidated_values`).

The merging reproduces istioctl's, sharing included (see values.merge_into): where the profile has no
map for a user's `spec.values` subtree (pilot, meshConfig, ...), the translation writes into the user's
own map and the re-merge restores nothing, so `values.pilot.enabled`, `values.pilot.cni.enabled` and
conflicting `values.meshConfig` keys lose to the components and `spec.meshConfig`. Clusters built by
istioctl have exactly that, so a migration keeps it; `overridden_user_values` lists every such setting so
the user is told. Pure: inputs are copied first; profiles come from a callable.
"""
from __future__ import annotations

import copy
import json
from typing import Any, Callable

from helmgen.errors import InputError, Problem, Severity
from helmgen.paths import PathSyntaxError, parse_set_path
from helmgen.setflags import parse_value, split_set
from helmgen.translate.toplevel import translate_toplevel
from helmgen.values import SetPathError, deep_merge, merge_into, set_path

ProfileLoader = Callable[[str, str], "dict | None"]  # (profile name, installPackagePath) -> IOP or None

START = {"apiVersion": "install.istio.io/v1alpha1", "kind": "IstioOperator", "metadata": {}, "spec": {}}


def flag_aliases(revision: str | None, manifests: str | None) -> list[str]:
    """Flags that act as --set entries applied after the user's own --set."""
    out = []
    if manifests:
        out.append(f"installPackagePath={manifests}")
    if revision and revision != "default":
        out.append(f"revision={revision}")
    return out


def apply_sets(tree: dict, sets: list[str]) -> list[Problem]:
    """Apply --set entries (relative to spec) in order; returns problems for entries that fail."""
    problems = []
    for entry in sets:
        path_text, raw = split_set(entry)
        try:
            segments = parse_set_path(path_text)
            if not segments:
                raise SetPathError("empty path")
            set_path(tree, ["spec", *segments], parse_value(f"spec.{path_text}", raw))
        except (PathSyntaxError, SetPathError) as e:
            problems.append(Problem((), f"--set {entry}: {e}"))
    return problems


def build_user_config(objects: list[dict], sets: list[str]) -> dict:
    user = copy.deepcopy(START)
    for obj in copy.deepcopy(objects):
        merge_into(user, obj)
    problems = apply_sets(user, sets)
    if problems:
        raise InputError(problems)
    return user


def merge_inputs(user_config: dict, profiles: ProfileLoader, known_profiles: list[str]) -> dict:
    """The user config (files and --set, see build_user_config) on its profile -> merged IstioOperator."""
    user = copy.deepcopy(user_config)
    spec = user.get("spec") if isinstance(user.get("spec"), dict) else {}
    profile = spec.get("profile") or "default"
    package = spec.get("installPackagePath") or ""
    base = profiles("default", package)
    if base is None:
        raise InputError([Problem(("spec", "installPackagePath"),
                                  f"{package}: no profiles/default.yaml there")])
    if profile != "default":
        chosen = profiles(str(profile), package)
        if chosen is None:
            raise InputError([Problem(("spec", "profile"), f"unknown profile {profile!r}",
                                      fix="choose one of " + ", ".join(known_profiles))])
        merge_into(base, chosen)
    user_values = spec.get("values")  # shared with `base` below, as in istioctl
    merge_into(base, user)
    translate_toplevel(base)
    if isinstance(user_values, dict):
        merge_into(base, {"spec": copy.deepcopy({"values": user_values})})
    return copy.deepcopy(base)


def overridden_user_values(user_values: Any, final_values: Any, path: tuple = ("spec", "values")) -> list[Problem]:
    """Warnings for leaves the user set in spec.values that ended up different (istioctl's merge)."""
    if path == ("spec", "values") and not isinstance(user_values, dict):
        return []
    if isinstance(user_values, dict) and isinstance(final_values, dict):
        out = []
        for key, value in user_values.items():
            out += overridden_user_values(value, final_values.get(key, _GONE), path + (key,))
        return out
    if final_values is _GONE or final_values == user_values:
        return []
    return [Problem(path, f"your value {json.dumps(user_values)} is replaced by {json.dumps(final_values)}, as "
                    "istioctl does (component enablement and spec.meshConfig win over these values)",
                    Severity.WARNING, fix="set it through spec.components / spec.meshConfig instead")]


_GONE = object()


def apply_unvalidated_values(merged: dict) -> dict:
    """Merge spec.unvalidatedValues into spec.values (it wins over everything; not validated)."""
    spec = merged.get("spec") or {}
    extra: Any = spec.get("unvalidatedValues")
    if not isinstance(extra, dict):
        return merged
    return deep_merge(merged, {"spec": {"values": extra}})
