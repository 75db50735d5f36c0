"""The layout stage: format readers' lines and tables → one reading text (see model.py)."""
