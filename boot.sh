#! /bin/sh
# Generates configure and the Makefile templates from a fresh clone.
autoreconf --install --force
