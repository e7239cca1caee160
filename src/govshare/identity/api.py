"""REST endpoints of the identity package: who am I, and my API tokens (接口令牌)."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator

from govshare.core.web.api import InputSchema, auth_user, responses
from govshare.core.web.api_inputs import FILLED_TEXT, Moment, ObjectId
from govshare.identity.models import ApiToken
from govshare.identity.services import TOKEN_PREFIX, token_create, token_revoke
from govshare.orgs.middleware import active_department_id
from govshare.orgs.models import Department, Membership
from govshare.orgs.roles import principal_of

router = Router(tags=["identity"])


# --- schemas --------------------------------------------------------------------------------


class UserOut(Schema):
    id: int
    username: str
    full_name: str = Field(alias="first_name")
    email: str


class MembershipOut(Schema):
    department_id: int
    department_name: str = Field(alias="department.name")
    role: str


class DepartmentRef(Schema):
    id: int
    name: str


class MeOut(Schema):
    user: UserOut
    roles: list[str] = Field(description="node-wide roles (admin, reviewer, auditor)")
    memberships: list[MembershipOut]
    active_department: DepartmentRef | None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="the token's public start, gs_<keyid>_")
    created: dt.datetime
    expires: dt.datetime | None
    last_used: dt.datetime | None
    revoked: dt.datetime | None
    is_usable: bool

    @staticmethod
    def resolve_prefix(token: ApiToken) -> str:
        return f"{TOKEN_PREFIX}{token.key_id}_"


class TokenCreatedOut(TokenOut):
    token: str = Field(alias="plaintext", description="the whole token; shown here only")


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    # A time without an offset is read in the node's time zone (settings.TIME_ZONE); Moment's
    # years (2000–2999) keep the conversion to UTC clear of the calendar's ends.
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


class TokenIn(InputSchema):
    name: Annotated[str, Field(max_length=64), FILLED_TEXT]
    expires: Annotated[
        Moment | None,
        AfterValidator(_aware),
        Field(description="in the future (else 409); without an offset, the node's time zone"),
    ] = None


# --- endpoints ------------------------------------------------------------------------------


@router.get("/me", response=responses({200: MeOut}), summary="Who am I")
def me(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user, their node-wide roles, memberships and active department."""
    user = auth_user(request)
    memberships = (
        Membership.objects.restrict(user, "view")
        .filter(user=user, department__is_active=True)
        .select_related("department")
    )
    active_id = active_department_id(request)
    departments = Department.objects.restrict(user, "view")
    active = departments.filter(pk=active_id).first() if active_id else None
    return {
        "user": user,
        "roles": sorted(principal_of(user).node_roles),
        "memberships": list(memberships),
        "active_department": active,
    }


@router.get("/me/tokens", response=responses({200: list[TokenOut]}), summary="List my API tokens")
def my_tokens(request: HttpRequest) -> Any:
    """The user's own tokens, without secrets."""
    user = auth_user(request)
    return ApiToken.objects.restrict(user, "view").filter(user=user)


@router.post("/me/tokens", response=responses({201: TokenCreatedOut}), summary="Issue an API token")
def my_token_add(
    request: HttpRequest, response: HttpResponse, payload: TokenIn
) -> Status[ApiToken]:
    """Issue a token. The whole token is in this response and nowhere else: keep it safe."""
    response["Cache-Control"] = "no-store"  # a credential must not be cached (RFC 6749 §5.1)
    issued = token_create(actor=auth_user(request), name=payload.name, expires=payload.expires)
    issued.token.plaintext = issued.plaintext  # type: ignore[attr-defined]  # this response only
    return Status(201, issued.token)


@router.delete("/me/tokens/{id}", response=responses({204: None}), summary="Revoke an API token")
def my_token_revoke(request: HttpRequest, id: ObjectId) -> Status[None]:
    """Revoke one of the user's tokens at once."""
    user = auth_user(request)
    token = get_object_or_404(ApiToken.objects.restrict(user, "revoke").filter(user=user), pk=id)
    token_revoke(actor=user, token=token)
    return Status(204, None)


__all__ = ["router"]
