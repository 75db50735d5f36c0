"""The dbt tests' warehouses are built once per session by tests/conftest.py (`built`,
`provincial_built`), which tests/outputs reads too."""
