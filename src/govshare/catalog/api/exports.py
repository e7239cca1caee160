"""REST endpoints: exports."""

from ninja import Router

router = Router(tags=["catalog"])
