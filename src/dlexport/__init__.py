"""dlexport: one YAML corpus of deep-learning interview questions, many kinds of study material."""

__version__ = "0.1.0"
