"""in_sandbox"""
