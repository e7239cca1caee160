"""The HTTP edge shared by every package: middleware and the client's address, request bodies
read within limits, the REST API's plumbing and input types, and the helpers of server-rendered
pages (action views, one-time form tokens, pagination, downloads)."""
