"""Test doubles and test audio, shared by `tests/` and `bench/`; the product never imports
this package (a test reads the imports to make sure), and the bundle leaves it out."""
