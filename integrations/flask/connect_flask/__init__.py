"""Connect RPC for flask (not yet implemented)."""
