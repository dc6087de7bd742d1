"""The hub's table models, one per file, on :class:`~tanglehub.hub.models.base.Base`."""
