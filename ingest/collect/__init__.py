"""`gongkai collect`: from report URLs or an agency's 年报 column to a folder `gongkai build` reads.

Small modules, one job each: `fetch` (HTTP with manners: robots.txt, per-host rate and
concurrency limits, retries, timeout, byte cap), `links` (character sets, list-page and report-page
links with lxml), `store` (where a URL's file goes), `state` (what earlier runs fetched, for
conditional requests), `sidecar` (the `FILE.source.json` record), `progress` (the terminal line) and
`run` (the crawl). Importing this package loads none of them, so the database layer can read
sidecars without the HTTP client.
"""
