"""Talking to the Kubernetes API (lightkube), for what helm does not do: readiness, the run lock, status,
diff and adoption. Pure rules (what "ready" means) are kept apart from the requests that feed them."""
