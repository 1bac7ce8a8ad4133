"""Data files of the text pipeline: abbreviations and stop words."""
