"""HTTP adapters: each dialect parses requests, calls the core and shapes its own JSON."""
