"""Repository facts for a run's repositories in a few GraphQL queries (``github/graphql.py``):
stars, forks, watchers, open issues and the newest releases' download counts, on GraphQL's
budget instead of a REST call per repository. A repository GraphQL does not answer keeps
what it had; when GraphQL cannot be used at all (an Enterprise Server without it, its
budget spent), every repository is read with the REST calls, as before."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from ghtraffic.collect.targets import Target
from ghtraffic.github import errors as gh
from ghtraffic.github.client import GitHubClient
from ghtraffic.github.graphql import repository_facts


async def with_graph_facts(
    client: GitHubClient, targets: Sequence[Target], on_notice: Callable[[str], None]
) -> list[Target]:
    """``targets`` with GraphQL's facts where it answered."""
    if not targets:
        return []
    try:
        found = await repository_facts(client, [t.owner_name for t in targets])
    except gh.BadCredentials:
        raise
    except gh.GitHubError as exc:
        on_notice(f"repository facts by GraphQL failed ({exc}): read per repository instead")
        return list(targets)
    enriched = []
    for target in targets:
        owner, name = target.owner_name
        graph = found.get((owner.lower(), name.lower()))
        if graph is None:
            enriched.append(target)
            continue
        facts = graph.facts
        if target.facts is not None:  # the listing's size is not in GraphQL's answer
            facts = dataclasses.replace(facts, size_kb=target.facts.size_kb)
        enriched.append(
            dataclasses.replace(
                target,
                facts=facts,
                full_facts=True,
                downloads=graph.downloads,
                downloads_complete=graph.downloads_complete,
            )
        )
    return enriched
