"""The fake GitHub: a real HTTP server that answers the traffic, repository and listing
endpoints as GitHub's OpenAPI description says, with simulated traffic, a controllable
clock and fault injection. Used by the demo, the tests and the benchmarks."""

from ghtraffic.fakegithub.app import create_app
from ghtraffic.fakegithub.config import FakeGitHubConfig
from ghtraffic.fakegithub.faults import FaultSettings, parse_faults
from ghtraffic.fakegithub.model import TrafficModel
from ghtraffic.fakegithub.server import FakeGitHub, running, serve

__all__ = [
    "FakeGitHub",
    "FakeGitHubConfig",
    "FaultSettings",
    "TrafficModel",
    "create_app",
    "parse_faults",
    "running",
    "serve",
]
