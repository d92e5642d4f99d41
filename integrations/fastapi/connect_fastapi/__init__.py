"""Connect RPC for FastAPI."""
