"""tanglehub.devnet"""
