"""Developer tools: fixture HTTP server, bundled-archive builder, benchmarks."""
