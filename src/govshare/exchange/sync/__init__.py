"""Table exchange (库表交换): keeping a granted table current in a consumer's front-end database.

- ``spec``: what a subscription reads (granted items, masking, row filters, key) — ``spec_for``.
- ``engine``: one run, batch by batch, each batch and its watermark in one destination
  transaction; full loads into a shadow table swapped in by rename; PostgreSQL fast paths.
- ``reconcile``: source and destination compared by counts and digests per key range.
- ``runner``: runs as background tasks (leases, retries, stall detection, one run at a time).
"""
