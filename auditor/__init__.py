"""egress-audit: follow every AKS node pool to the IP address its traffic leaves from."""

__version__ = "0.1.0"
