# Marks this folder as the package ubu_tui.data (mapped in setup.py), so that ubu finds its
# files through importlib.resources both in a checkout and in an installed wheel.
