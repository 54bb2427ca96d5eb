"""The install graph: parallel where the needs allow, dependents of a failure not started."""
from __future__ import annotations

import asyncio

from helmgen.deploy.graph import run_graph
from helmgen.deploy.remove import reverse_needs
from helmgen.deploy.release import ReleaseTask

NEEDS = {"istio-base": (), "istiod": ("istio-base",), "istio-cni": ("istio-base",),
         "istio-ingressgateway": ("istiod",), "ztunnel": ("istio-cni",)}


def drive(needs, failing=(), delay=0.02):
    events, skipped, running, peak = [], {}, set(), [0]

    async def run(name):
        running.add(name)
        peak[0] = max(peak[0], len(running))
        events.append(("start", name))
        await asyncio.sleep(delay)
        running.discard(name)
        events.append(("end", name))
        return name not in failing

    asyncio.run(run_graph(needs, run, lambda name, need: skipped.__setitem__(name, need)))
    return events, skipped, peak[0]


def test_each_release_starts_after_what_it_needs_and_siblings_run_together():
    events, skipped, peak = drive(NEEDS)
    order = {e: i for i, e in enumerate(events)}
    for name, needs in NEEDS.items():
        for need in needs:
            assert order[("end", need)] < order[("start", name)]
    assert not skipped and peak == 2  # istiod beside istio-cni, the gateway beside ztunnel


def test_a_failure_skips_what_needs_it_and_nothing_else():
    events, skipped, _ = drive(NEEDS, failing={"istiod"})
    assert skipped == {"istio-ingressgateway": "istiod"}
    assert ("end", "ztunnel") in events


def test_a_skip_propagates_down_the_graph():
    _, skipped, _ = drive(NEEDS, failing={"istio-base"})
    assert set(skipped) == {"istiod", "istio-cni", "istio-ingressgateway", "ztunnel"}


def test_uninstall_runs_the_graph_turned_around():
    tasks = [ReleaseTask(n, "ns", "", {}, None, needs) for n, needs in NEEDS.items()]
    reverse = reverse_needs(tasks)
    assert reverse["istio-base"] == ("istiod", "istio-cni")
    events, _, _ = drive(reverse)
    order = {e: i for i, e in enumerate(events)}
    assert order[("end", "istio-ingressgateway")] < order[("start", "istiod")] < order[("start", "istio-base")]
