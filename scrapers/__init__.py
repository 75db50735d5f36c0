"""Find, fetch and archive the cities' annual reports (registry → discovery → polite HTTP → WARC)."""
