"""TEMPORARY alias of ``catalog.search.index`` for ``catalog/demo.py`` alone, which another branch
of issue 12 (item 2) moves to ``demo/``: delete this module when that move lands, pointing the
moved import at ``govshare.catalog.search.index``. Nothing else may import it."""

from govshare.catalog.search.index import reindex_resources

__all__ = ["reindex_resources"]
