"""What researchers and BI tools get out of the warehouse: comparisons, the HTML report,
file exports, the coverage matrix and the data dictionary. Everything here reads the
published warehouse read-only, except `coverage.build_coverage`, which the job calls on the
build file before publishing."""
