"""What researchers and BI tools get out of the warehouse: comparisons, the HTML report,
file exports, the coverage matrix and the data dictionary. Everything here reads the
published warehouse read-only; every rule on data (ranks, changes, coverage) is a dbt model."""
