"""`python -m tests.golden`: rewrite every golden file from the current code."""

from __future__ import annotations

from tests.golden import DIR, GOLDENS, render


def update() -> None:
    for name in GOLDENS:
        path = DIR / name
        data = render(name)
        state = "unchanged" if path.exists() and path.read_bytes() == data else "updated"
        path.write_bytes(data)
        print(f"{state}: tests/golden/{name}")


if __name__ == "__main__":
    update()
