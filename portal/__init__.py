"""Service requests, triage workflow, accounts and the audit trail (no web framework here)."""
