"""Child-process drivers of the kill-and-restart tests (run with ``python -m tests.faults.drivers.<name>``)."""
