"""The exchange gateway (交换网关): a Starlette ASGI app at /gw/, beside Django on one port.

``create_app()`` (app.py) sets Django up first, so the gateway's modules can use its models.
"""
