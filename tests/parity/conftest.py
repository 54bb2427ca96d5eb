"""The parity tier uses `istioctl` and `istio_manifests` from tests/conftest.py (they FAIL, never skip, when
istioctl cannot be built) and `generate_oracle` for cached `istioctl manifest generate` runs."""
