"""The network-file front end: YAML nodes, the vocabulary of layer types, the loader, the schema, the writer."""
