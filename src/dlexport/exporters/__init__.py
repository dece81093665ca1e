"""The built-in exporters. Each registers through the `dlexport.exporters` entry-point group,
exactly as a third-party exporter would."""
