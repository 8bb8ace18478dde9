"""The core: desired DOI state recorded with each record change, converged by workers."""
