"""tanglehub.keys"""
