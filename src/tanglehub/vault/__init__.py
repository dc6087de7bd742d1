"""tanglehub.vault"""
