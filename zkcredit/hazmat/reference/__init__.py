"""Pure-Python reference implementations, the independent oracle for the native core."""
