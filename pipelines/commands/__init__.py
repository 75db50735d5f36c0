"""Sub-commands of `gjj`, one module each."""
