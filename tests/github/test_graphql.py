"""Repository facts by GraphQL: the query ghtraffic sends is valid against GitHub's own
schema (the fragment copied from @octokit/graphql-schema), and the fake GitHub answers it
as GitHub does, on a budget apart from REST's."""

from __future__ import annotations

import asyncio
from importlib import resources

import httpx
import pytest
from graphql import build_schema, parse, validate

from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.server import running
from ghtraffic.github.client import GitHubClient
from ghtraffic.github.graphql import BATCH, facts_query, repository_facts
from ghtraffic.github.parse import GraphFacts

SCHEMA = build_schema(
    resources.files("ghtraffic.fakegithub").joinpath("github-schema.graphql").read_text()
)


@pytest.mark.parametrize("count", [1, 7, BATCH])
def test_the_facts_query_is_valid_against_githubs_schema(count: int) -> None:
    assert validate(SCHEMA, parse(facts_query(count))) == []


def test_a_query_githubs_schema_refuses_is_refused() -> None:
    bad = facts_query(1).replace("stargazerCount", "stargazersCount")
    errors = validate(SCHEMA, parse(bad))
    assert errors
    assert "stargazersCount" in errors[0].message


def test_facts_of_many_repositories_in_one_query_on_graphqls_own_budget() -> None:
    with running(FakeGitHubConfig(repos=40, seed=4)) as fake:
        world = fake.world()["repos"]
        visible = [r for r in world if not r["private"]]
        renamed = next(r for r in world if r["renamed_from"])
        asked = [
            (str(owner), str(name))
            for owner, name in (
                *(r["full_name"].split("/") for r in world),
                ("octo-demo", "no-such-repository"),
                renamed["renamed_from"].split("/"),
            )
        ]

        async def read() -> tuple[dict[tuple[str, str], GraphFacts], GitHubClient]:
            async with GitHubClient("outsider-token", fake.api_url) as gh:
                return await repository_facts(gh, asked), gh

        found, gh = asyncio.run(read())
        # What the token may see is answered; the rest (private, missing) is not.
        assert {f"{o}/{n}" for o, n in found} >= {r["full_name"].lower() for r in visible}
        assert ("octo-demo", "no-such-repository") not in found
        old_owner, old_name = renamed["renamed_from"].lower().split("/")
        assert found[(old_owner, old_name)].facts.name == renamed["full_name"].split("/")[1]
        assert gh.points == 0, "GraphQL points are not REST points"
        assert gh.rate is None
        assert gh.graphql_rate is not None
        assert gh.graphql_rate.resource == "graphql"
        assert gh.graphql_rate.used == 3  # 42 repositories x (1 + 5 releases) / 100, rounded
        # GitHub's answer to an invalid query: 200, errors, no data.
        answer = httpx.post(
            f"{fake.api_url}/graphql",
            json={"query": '{ repository(owner: "a", name: "b") { nope } }'},
            headers={"Authorization": "Bearer demo-token", "User-Agent": "t"},
        )
        assert answer.status_code == 200
        assert "data" not in answer.json()
        assert "nope" in answer.json()["errors"][0]["message"]
