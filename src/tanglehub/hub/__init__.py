"""tanglehub.hub"""
