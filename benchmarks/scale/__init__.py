"""The scale benchmark: the product measured from outside over thousands of real texts.

Everything goes through what an operator or a client uses: `cgt-portal ingest` and
`cgt-portal serve` on a fresh data dir, HTTP requests, /proc of the served process, and the
Chroma collection read directly for the recall check. Nothing imports the retrieval core, so
the same benchmark measures the code before and after it is rebuilt (issue 11).
"""
