"""The database: records → SQLite.

`schema` (every table, column and view, with its description), `load` (a record → rows),
`build` (a folder of reports → an atomic, incremental database), `checks` (the consistency rules
of canned_queries/checks/ → check_results), `stats` (summary tables), `search` (jieba
segmentation shared by the index and the site).
"""
