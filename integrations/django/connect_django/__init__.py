"""Connect RPC for django (not yet implemented)."""
