"""ghtraffic: a self-hosted archive of GitHub repository traffic.

GitHub keeps a repository's views, clones, referrers and popular paths for 14 days.
ghtraffic collects them on a schedule and keeps them forever.
"""

__version__ = "0.1.0"
