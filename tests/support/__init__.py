"""Shared test set-up: users and companies, sign-in with the CSRF token, a live server.

Used by the tests (through the conftest fixtures) and by the benchmarks, which run from the
repository root (`python -m benchmarks.X`), where `tests.support` is importable.
"""
