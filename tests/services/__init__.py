"""Throwaway services the test suite starts for itself."""
