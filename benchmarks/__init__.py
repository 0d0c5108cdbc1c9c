"""On-demand speed and recall benchmarks (run with `make bench`; see benchmarks/README.md)."""
