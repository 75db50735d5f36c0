"""Dagster assets, one module per stage: registry → raw documents → extracted text →
parsed facts (all three per city) → staging tables → dbt models → published warehouse."""
