"""The protoc plugin ``protoc-gen-connect-python``; see :mod:`connect_core._codegen.plugin`."""
