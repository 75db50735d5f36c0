"""gjj-warehouse: parsing, loading and orchestration of housing provident fund annual reports."""
