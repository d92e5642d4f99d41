"""The clients: async and sync, their shared option handling, cancellation and metadata."""
