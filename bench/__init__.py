"""Side-by-side benchmarks of ember against torch: `python -m bench` (see bench/README.md)."""
