"""The web part: the dashboard, the JSON API, badges and the live stream.

It owns local accounts and their sessions, API tokens and grants (``storage/tables_web``),
the permissions every read goes through, the server-rendered pages and their static
assets, Server-Sent Events fed by the change feed, and the scheduler that
``ghtraffic serve`` runs beside the web server. ``ghtraffic.web.app.create_app`` builds
the application.
"""
