"""GitHub REST client: one pooled async httpx client with conditional requests,
rate-limit accounting, retries and errors a person can act on. Knows nothing of storage."""
