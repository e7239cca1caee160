"""The classification tree (资源分类) at /api/v1/catalog/categories: the concepts that DCAT
exports name as each dataset's ``dcat:theme``."""

from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from govshare.catalog.models import Category
from govshare.core.web.api import auth_user, responses
from govshare.core.web.api_inputs import PLAIN_TEXT

router = Router(tags=["catalog"])
Code = Annotated[str, Field(max_length=20, pattern=r"^[0-9]+$"), PLAIN_TEXT]


class CategoryOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None = Field(None, description="code of the parent class")
    children: list[str] = Field(description="codes of the sub-classes")

    @staticmethod
    def resolve_parent(category: Category) -> str | None:
        return category.parent.code if category.parent is not None else None

    @staticmethod
    def resolve_children(category: Category) -> list[str]:
        return sorted(child.code for child in category.children.all())


@router.get("/categories", response=responses({200: list[CategoryOut]}), summary="Classes")
def category_list(request: HttpRequest) -> list[Category]:
    """The whole classification tree (类/项/目/细目), in code order."""
    categories = Category.objects.restrict(auth_user(request), "view")
    return list(categories.select_related("parent").prefetch_related("children").order_by("code"))


@router.get("/categories/{code}", response=responses({200: CategoryOut}), summary="Get one class")
def category_detail(request: HttpRequest, code: Code) -> Category:
    categories = Category.objects.restrict(auth_user(request), "view").select_related("parent")
    return get_object_or_404(categories, code=code)
