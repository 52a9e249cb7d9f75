"""The site: Datasette over the database.

`metadata` (metadata.yml generated from the schema and canned_queries/), `charts` (shared chart
plumbing for plugins/), `serve` (Datasette with the bundle's settings, plugins and templates).
"""
