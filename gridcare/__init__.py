"""GridCare: the customer-service platform of a power supply company."""

__version__ = "0.1.0"
