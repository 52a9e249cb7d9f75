"""The parser: a report's normalised lines → the record's parts.

`normalize` (lines → canonical lines), `sections` (the numbered parts of a report), `tables`
(tables 2, 3 and 4 cell by cell), `prose` (figures stated in sentences), `meta` (title, agency,
year, date, region). `ingest.parse` runs them in that order.
"""
