"""Home-page figures: each module registers a provider; the home page shows what the user's
roles may see, with real counts from the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    label: Any
    value: int | str
    url: str = ""
    hint: Any = ""


FigureProvider = Callable[[Any, int | None], list[Figure]]
_providers: list[tuple[int, FigureProvider]] = []


def register_figures(order: int) -> Callable[[FigureProvider], FigureProvider]:
    def decorate(provider: FigureProvider) -> FigureProvider:
        if provider not in [p for _o, p in _providers]:
            _providers.append((order, provider))
            _providers.sort(key=lambda pair: pair[0])
        return provider

    return decorate


def figures_for(user: Any, department_id: int | None) -> list[Figure]:
    figures: list[Figure] = []
    for _order, provider in _providers:
        figures.extend(provider(user, department_id))
    return figures
