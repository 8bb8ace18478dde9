"""Telling operators without being asked: the digest, the metrics, ``stats``, the health check.

Reads the lifecycle's tables; writes only its own (``doi_ext_digest_state`` and
the summary's count tables, the latter through PostgreSQL triggers).
"""
