"""Dagster assets, one module per stage: registry → raw documents → extracted text →
parsed facts (all three per city) → raw tables (the loader) → dbt models → published warehouse."""
