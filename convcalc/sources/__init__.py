"""Reading any source of a network: choosing the reader for a path, above the YAML front end and the importers.

A network file is netfile's; an ONNX graph, a Keras model and a PyTorch module are the
importers'; this layer picks one, and turns an import into a network file and its notes.
"""
