"""The sans-IO protocol engine: one module per protocol and side, and the framing, codecs
and compressions they share."""
