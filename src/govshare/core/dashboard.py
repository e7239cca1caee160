"""Home-page figures: each module registers a provider; the home page shows what the user's
roles may see, with real counts from the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from govshare.core.actors import Actor
from govshare.core.registry import Registry


@dataclass(frozen=True)
class Figure:
    label: Any
    value: int | str
    url: str = ""
    hint: Any = ""


FigureProvider = Callable[[Any, int | None], list[Figure]]
# (order, provider): providers shown by their order, each once.
providers: Registry[tuple[int, FigureProvider]] = Registry(
    "home-page figures", order_by=lambda pair: pair[0], same=lambda pair: pair[1]
)


def register_figures(order: int) -> Callable[[FigureProvider], FigureProvider]:
    def decorate(provider: FigureProvider) -> FigureProvider:
        providers.register((order, provider))
        return provider

    return decorate


def figures_for(user: Actor, department_id: int | None) -> list[Figure]:
    figures: list[Figure] = []
    for _order, provider in providers:
        figures.extend(provider(user, department_id))
    return figures
