"""helmgen: move Istio installations from IstioOperator to plain Helm releases."""

__version__ = "0.1.0"
