"""The one authorization path (统一权限): ``restrict`` for querysets, ``can`` for objects.

Each domain package registers a policy per model in its ``permissions.py``. UI views, API
handlers, services and tasks all ask the same policy, so a rule is written once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, Self, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models

from govshare.core.actors import Actor

ModelT = TypeVar("ModelT", bound=models.Model)
QuerySetT = TypeVar("QuerySetT", bound=models.QuerySet[Any, Any])
ServiceT = TypeVar("ServiceT", bound=Callable[..., Any])


class Policy(Protocol):
    def scope(self, user: Actor, action: str) -> models.Q | bool:
        """Rows ``user`` may ``action``: a filter, True for all rows, False for none."""

    def allows(self, user: Actor, action: str, obj: Any) -> bool:
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


def restrict(queryset: QuerySetT, user: Actor | None, action: str = "view") -> QuerySetT:
    """Narrow ``queryset`` to the rows ``user`` may ``action``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    scope = policy_for(queryset.model).scope(user, action)
    if scope is True:
        return queryset
    if scope is False:
        return queryset.none()
    return queryset.filter(scope)


def can(user: Actor | None, action: str, obj: Any) -> bool:
    """Whether ``user`` may ``action`` on ``obj`` (a model instance, or a model class for add)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    model = obj if isinstance(obj, type) else type(obj)
    return policy_for(model).allows(user, action, None if isinstance(obj, type) else obj)


def require(user: Actor | None, action: str, obj: Any) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        raise PermissionDenied(action)


class RestrictedQuerySet(models.QuerySet[ModelT]):
    """Adds ``.restrict(user, action)``: ``objects = RestrictedQuerySet.as_manager()``."""

    def restrict(self, user: Actor, action: str = "view") -> Self:
        return restrict(self, user, action)


# --- services that check no access themselves ---------------------------------------------------

# Every public service function checks access (require, can, restrict, or PermissionDenied) or
# says here why it does not, as CKAN's auth audit asks of every action; tests/test_service_
# authorization.py reads the services for it. "module.name" → (kind, reason).
UNCHECKED_SERVICES: dict[str, tuple[str, str]] = {}


def _declare(kind: str, reason: str) -> Callable[[ServiceT], ServiceT]:
    def declare(service: ServiceT) -> ServiceT:
        UNCHECKED_SERVICES[f"{service.__module__}.{service.__qualname__}"] = (kind, reason)
        return service

    return declare


def internal(reason: str) -> Callable[[ServiceT], ServiceT]:
    """Declare a service no user reaches: other services (after authorizing), the platform's
    own tasks or a read the caller has already restricted call it. ``reason`` says which."""
    return _declare("internal", reason)


def open_to_anyone(reason: str) -> Callable[[ServiceT], ServiceT]:
    """Declare a service any caller may use by design (signing in, changing one's own password
    with the current one): who the caller is is what it establishes or proves."""
    return _declare("open", reason)
