"""Siyu (私域): a self-hostable SCRM for companies that serve their customers through WeCom."""

__version__ = "0.1.0"
