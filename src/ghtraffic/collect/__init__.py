"""Collection: decides which repositories to read, reads them through the GitHub client,
turns responses into observations and hands each repository's results to storage in
one transaction. Owns the run log and the rate-limit budget of a run."""
