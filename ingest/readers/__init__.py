"""Readers: a report file's bytes → text lines (with their positions in the source).

One module per kind of input: `text` (decoding, format sniffing), `html` (web pages → one line
per block or table row).
"""
