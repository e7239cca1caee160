"""The one authorization path (统一权限): ``restrict`` for querysets, ``can`` for objects.

Each domain package registers a policy per model in its ``permissions.py``. UI views, API
handlers, services and tasks all ask the same policy, so a rule is written once.
"""

from __future__ import annotations

from typing import Any, Protocol, Self, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models

ModelT = TypeVar("ModelT", bound=models.Model)
QuerySetT = TypeVar("QuerySetT", bound=models.QuerySet[Any, Any])


class Policy(Protocol):
    def scope(self, user: Any, action: str) -> models.Q | bool:
        """Rows ``user`` may ``action``: a filter, True for all rows, False for none."""

    def allows(self, user: Any, action: str, obj: Any) -> bool:
        """Whether ``user`` may ``action`` on ``obj`` (``obj`` is None for add)."""


_policies: dict[type[models.Model], Policy] = {}


def register(model: type[models.Model]) -> Any:
    """Class decorator: ``@register(Department) class DepartmentPolicy: ...``."""

    def decorate(policy_class: type) -> type:
        _policies[model] = policy_class()
        return policy_class

    return decorate


def policy_for(model: type[models.Model]) -> Policy:
    concrete = model._meta.concrete_model or model
    try:
        return _policies[concrete]
    except KeyError:
        raise LookupError(f"no permission policy registered for {concrete.__name__}") from None


def restrict(queryset: QuerySetT, user: Any, action: str = "view") -> QuerySetT:
    """Narrow ``queryset`` to the rows ``user`` may ``action``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    scope = policy_for(queryset.model).scope(user, action)
    if scope is True:
        return queryset
    if scope is False:
        return queryset.none()
    return queryset.filter(scope)


def can(user: Any, action: str, obj: Any) -> bool:
    """Whether ``user`` may ``action`` on ``obj`` (a model instance, or a model class for add)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    model = obj if isinstance(obj, type) else type(obj)
    return policy_for(model).allows(user, action, None if isinstance(obj, type) else obj)


def require(user: Any, action: str, obj: Any) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        raise PermissionDenied(action)


class RestrictedQuerySet(models.QuerySet[ModelT]):
    """Adds ``.restrict(user, action)``: ``objects = RestrictedQuerySet.as_manager()``."""

    def restrict(self, user: Any, action: str = "view") -> Self:
        return restrict(self, user, action)
