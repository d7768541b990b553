"""Helpers for end-to-end tests against the local infrastructure: an app process under test
(apps), records produced and consumed on a real broker (records), the secret-leak scan
(leak_scan) and fault injection on the local cluster (faults). The pytest fixtures that start
the infrastructure are in kappa_local.pytest_plugin."""
