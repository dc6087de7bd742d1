"""tanglehub: IOTA Stardust wallet library, custody hub and local devnet node."""

__version__ = "0.1.0"
