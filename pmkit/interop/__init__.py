"""Readers and writers of foreign project formats: MS Project XML, Primavera XER, PSPLIB."""
