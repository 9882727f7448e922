"""Exit codes (documented in the README)."""

SUCCESS = 0  # nothing at or above the failure threshold
FINDINGS = 1  # findings at or above the failure threshold
ERROR = 2  # usage error, unreadable or unparsable file, internal error
