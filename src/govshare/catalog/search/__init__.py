"""Chinese full-text search of the catalog (目录检索): the ranked page, its counts, highlights.

One index row per resource holds the jieba-segmented text of the shown version (the one in force,
else the draft): name, keywords, summary and data-item names; the code; and the facet fields.
Text is segmented in Python so both databases see the same space-separated tokens
(DESIGN.md "Chinese search"; stack.md §3: SQLite's trigram tokenizer silently finds nothing for
two-character words, so it is not used):

- SQLite: ``catalog_search_doc`` (facets) plus an FTS5 ``unicode61`` table ranked by bm25;
- PostgreSQL: ``catalog_search_doc`` with a weighted ``to_tsvector('simple', …)`` (GIN), ranked
  by ts_rank, and a pg_trgm index on the name for substring matching.

A search is made of three parts: what matches (``query``: a resource code, Chinese
words or a fragment of a name; the facet filters; what the user may see), how many match per
facet value (``counts``), and the ranked page (``page``), its resources read through
``Resource.objects.restrict(user, "view")`` once more (the one authorization path, whose filter
every count also applies) and highlighted. A search's counts are kept until the index changes;
made afresh, they are made on a second connection while this one ranks (``core.alongside``).
The index itself (its tables, its rows, keeping it fresh) is ``index``; the facet bit layout
it packs, ``facets``.
"""
