"""Plain-text tables as the command line prints them: columns padded to their widest cell, two spaces apart."""
from __future__ import annotations


def table_lines(rows: list[list[str]]) -> list[str]:
    """Each row as one line (the first row is the header); trailing spaces removed."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
