"""tanglehub.cli"""
