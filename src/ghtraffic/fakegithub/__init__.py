"""The fake GitHub: a real HTTP server that answers the traffic, repository and listing
endpoints as GitHub's OpenAPI description says, with simulated traffic, a controllable
clock and fault injection. Used by the demo, the tests and the benchmarks."""
