"""tanglehub.node"""
