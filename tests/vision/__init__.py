"""Tests of ember.vision (a package, so the tests can share `_oracle`)."""
