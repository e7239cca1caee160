"""Demo steps: each module registers a function that adds its part of the demo city.

Steps run in order and must be idempotent: running ``govshare demo`` twice leaves one city.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DemoStep = Callable[[Any, Callable[[str], None]], None]


@dataclass(frozen=True)
class RegisteredStep:
    order: int
    name: str
    run: DemoStep


_steps: dict[str, RegisteredStep] = {}


def demo_step(order: int, name: str) -> Callable[[DemoStep], DemoStep]:
    """Decorator: ``@demo_step(30, "catalog") def load(actor, say): ...``."""

    def decorate(func: DemoStep) -> DemoStep:
        _steps[name] = RegisteredStep(order, name, func)
        return func

    return decorate


def steps() -> list[RegisteredStep]:
    return sorted(_steps.values(), key=lambda step: step.order)
