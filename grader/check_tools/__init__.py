"""check_tools"""
