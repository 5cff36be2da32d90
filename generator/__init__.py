"""katsudo: a static site generator for the activity reports of community organisations."""

__version__ = "0.1.0"
