"""Forms of the inventory pages, one module per topic as in ``views/``. They only parse input;
the services validate the rules."""
