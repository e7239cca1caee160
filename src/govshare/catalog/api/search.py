"""REST endpoints: search."""

from ninja import Router

router = Router(tags=["catalog"])
