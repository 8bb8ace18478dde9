"""Reliable DataCite DOI handling for InvenioRDM.

Every DOI the instance manages has one row saying what DataCite should hold and
what it is known to hold; Celery workers converge the second to the first.
"""

__version__ = "0.1.0"

__all__ = ("__version__",)
