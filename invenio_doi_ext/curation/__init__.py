"""Curated DOI requests: a curator accepts before a DOI becomes findable.

A request type of invenio-requests ("DOI request") is opened when a record with a
locally managed DOI is published while ``DOI_EXT_CURATION_REQUIRED`` says so. Until
it is accepted, ``rdm.targets`` holds the DOI at DataCite state ``draft``; accepting
recomputes the desired state and the lifecycle's workers converge it as usual.
"""
