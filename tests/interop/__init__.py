"""Tests: interop."""
