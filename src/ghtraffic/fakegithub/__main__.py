"""``python -m ghtraffic.fakegithub``: the ``fake-github`` command."""

from ghtraffic.fakegithub.cli import fake_github_command

if __name__ == "__main__":
    fake_github_command(prog_name="python -m ghtraffic.fakegithub")
