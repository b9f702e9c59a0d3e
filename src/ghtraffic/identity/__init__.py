"""Who may do what: local accounts and their passwords (argon2id), browser sessions,
personal API tokens, grants of owners and repositories to viewers, the repositories an
admin made public, and the rule every read asks first (``permissions.py``).

Everything here is plain functions over the archive's ``web_*`` tables; the dashboard
(``web/``) and the command line (``cli/users.py``) both use it, neither owns it.
"""
