"""A one-command demo: a throw-away InvenioRDM instance, the DataCite sandbox, a real
Celery worker and beat, and a story from publish to tombstone (``./run-demo.sh``)."""
