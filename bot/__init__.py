"""Vietnamese e-government Q&A bot: cited BM25 answers from trusted articles."""

__version__ = "0.1.0"
