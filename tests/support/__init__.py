"""Test support: running tandem servers on real databases, and HTTP helpers."""
