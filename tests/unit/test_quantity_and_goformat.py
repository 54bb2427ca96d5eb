import pytest

from helmgen.goformat import go_format
from helmgen.quantity import QuantityError, canonical


@pytest.mark.parametrize("raw,expected", [
    ("1000m", "1"), ("0.5", "500m"), ("500m", "500m"), ("2000", "2k"), ("1500", "1500"),
    ("1.5", "1500m"), (2, "2"), (0.25, "250m"), ("2048Mi", "2Gi"), ("1536Mi", "1536Mi"), ("0", "0"),
])
def test_quantity_canonical_form(raw, expected):
    assert canonical(raw) == expected


def test_quantity_rejects_garbage():
    with pytest.raises(QuantityError):
        canonical("lots")


@pytest.mark.parametrize("value,expected", [
    (1.2, "1.2"), (3.0, "3"), (1e6, "1e+06"), (123456.0, "123456"), (0.00001, "1e-05"), (True, "true"), (2, "2"),
])
def test_go_format_matches_fmt_v(value, expected):
    assert go_format(value) == expected
