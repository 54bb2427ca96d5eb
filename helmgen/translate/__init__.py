"""Pure translation: merged IstioOperator -> per-component values -> per-release chart values."""
