"""The equivalence tier: our charts against Istio's (the pinned istio module's manifests/), through helmgen."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
