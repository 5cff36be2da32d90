"""Split any list into pages of `per_page` and name each page's route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

from generator.urls import paged_route

T = TypeVar("T")


@dataclass(frozen=True)
class Pager(Generic[T]):
    number: int  # 1-based
    total: int
    items: Sequence[T]
    routes: tuple[str, ...]  # route of every page, index 0 is page 1

    @property
    def route(self) -> str:
        return self.routes[self.number - 1]


def paginate(items: Sequence[T], per_page: int, first_route: str) -> list[Pager[T]]:
    """Pages of `items`; an empty list still gets one (empty) page so its URL exists."""
    total = max(1, -(-len(items) // per_page))
    routes = tuple(paged_route(first_route, n) for n in range(1, total + 1))
    return [Pager(n, total, items[(n - 1) * per_page: n * per_page], routes) for n in range(1, total + 1)]
