"""Test service implementations and helpers that launch them under real servers."""
