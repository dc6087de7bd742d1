"""tanglehub.protocol"""
