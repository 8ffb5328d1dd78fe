"""align: Vietnamese-English sentence alignment, TMX translation memories and evaluation."""

__version__ = "0.1.0"
