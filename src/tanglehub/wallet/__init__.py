"""tanglehub.wallet"""
