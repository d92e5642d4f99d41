"""The client transports: one module per HTTP library, each mapping its library's errors itself."""
