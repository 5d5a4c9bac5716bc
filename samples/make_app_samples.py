"""Make demo-shop-cookie.txt with the real demo_shop_app (run from samples/).

The cookie is what the app's own test client receives; itsdangerous' clock is pinned so
that the sample has a known issue time (2025-06-01T12:00:00Z) and `make demo` can judge it
with --now.
"""

from __future__ import annotations

from pathlib import Path

import itsdangerous.timed
from demo_shop_app import app

ISSUED = 1748779200  # 2025-06-01T12:00:00Z


class PinnedClock:
    @staticmethod
    def time() -> float:
        return float(ISSUED)


def main() -> None:
    real_time = itsdangerous.timed.time
    itsdangerous.timed.time = PinnedClock  # type: ignore[assignment]
    try:
        client = app.test_client()
        client.post("/cart/tea/4.20")
        cookie = client.get_cookie("shop")
    finally:
        itsdangerous.timed.time = real_time
    assert cookie is not None
    Path("demo-shop-cookie.txt").write_text(f"shop={cookie.value}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
