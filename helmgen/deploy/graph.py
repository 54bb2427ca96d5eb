"""Run releases as a dependency graph: each starts as soon as every release it needs has succeeded."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping


async def run_graph(needs: Mapping[str, tuple[str, ...]], run: Callable[[str], Awaitable[bool]],
                    skip: Callable[[str, str], None]) -> None:
    """Run `run(name)` for every name, concurrently, each after all of `needs[name]` returned True.

    A release whose need failed (returned False) or was itself skipped is not started: `skip(name, need)` is
    called instead. Needs outside the graph count as met. An exception in `run` propagates (and cancels the
    rest), so `run` reports its own failures by returning False."""
    results: dict[str, asyncio.Future[bool]] = {name: asyncio.get_running_loop().create_future() for name in needs}

    async def one(name: str) -> None:
        future = results[name]
        try:
            for need in needs[name]:
                if need in results and not await asyncio.shield(results[need]):
                    skip(name, need)
                    future.set_result(False)
                    return
            future.set_result(await run(name))
        except BaseException:
            if not future.done():
                future.set_result(False)
            raise

    async with asyncio.TaskGroup() as group:
        for name in needs:
            group.create_task(one(name))
